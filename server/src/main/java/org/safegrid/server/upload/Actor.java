package org.safegrid.server.upload;

/**
 * Who did something and from where, for the audit trail.
 *
 * @param username signed-in user name, or null
 * @param sourceIp client address as seen by the server
 */
public record Actor(String username, String sourceIp) {}
