/**
 * Feed health: which cameras, checkpoints and patrol units went silent for longer than their
 * expected interval, as a map layer and as alerts, so that a dead feed is never read as a quiet
 * night. Last-seen times are kept in memory (written by the event feed's consumer thread, read by the check
 * thread and requests through a concurrent map) and flushed to {@code feed_source} for restarts.
 */
package org.safegrid.server.feedhealth;
