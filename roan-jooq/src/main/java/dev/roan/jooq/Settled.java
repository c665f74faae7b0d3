package dev.roan.jooq;

/** How a tracked submit ended; see {@link Dispatcher#submitTracked}. */
enum Settled {
    /** Every node delivered a purge of every path, started after the submit. */
    DELIVERED,
    /** A purge of one of the paths was dropped on a node ({@code giveUpAfter}); the rest may have been delivered. */
    GIVEN_UP,
    /** Nothing was taken: the dispatcher is closed or has no room; the caller keeps the paths for later. */
    NOT_TAKEN
}
