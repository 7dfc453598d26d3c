/**
 * How a server replica stops without failing a request: the drain before stop ({@link
 * org.safegrid.server.shutdown.Drain}), configured by {@code safegrid.shutdown.*}.
 */
package org.safegrid.server.shutdown;
