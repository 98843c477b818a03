package dev.molt.demo;

import dev.molt.ReceiveChannel;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /feed}: the live quotes as Server-Sent Events (or NDJSON with {@code Accept: application/x-ndjson}). */
@RestController
class FeedController {
    private final Feed feed;

    FeedController(Feed feed) {
        this.feed = feed;
    }

    @GetMapping("/feed")
    ReceiveChannel<Feed.Quote> feed() {
        return feed.subscribe();
    }
}
