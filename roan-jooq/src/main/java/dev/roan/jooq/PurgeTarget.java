package dev.roan.jooq;

import java.util.concurrent.CompletionStage;

/** Where the dispatcher sends a purge: a cache node; the stage completes normally once delivered or given up. */
interface PurgeTarget { CompletionStage<Void> purge(String path, long requestedNanos); }
