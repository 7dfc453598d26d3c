package org.safegrid.server.security;

/**
 * Published when what an account may see changed (roles, district scope, second factor) while it
 * may be signed in: its sessions and live streams are revoked so the next request re-authenticates
 * with the new rights.
 *
 * @param username the account
 * @param change   what changed, for the log
 */
public record UserAccessChanged(String username, String change) {
}
