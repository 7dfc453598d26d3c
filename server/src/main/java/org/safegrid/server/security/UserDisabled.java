package org.safegrid.server.security;

/**
 * Published (as an application event, after the change commits) when an admin disables an account:
 * its sessions are expired and its open live streams closed by {@link SessionRevocation}. Features
 * holding other long-lived state for a user may listen for it too.
 *
 * @param username the disabled account
 */
public record UserDisabled(String username) {
}
