/** The windows of a source's activity on /status and /api/feeds, shared by the query and the renderers. */

/** Clock hours in the activity sparkline, the current one last. */
export const ACTIVITY_HOURS = 48;
/** Days over which the share of a source's items that joined another outlet's story is counted. */
export const JOINED_SHARE_DAYS = 7;

const HOUR_MS = 3_600_000;

/** Start of the first counted hour: the current clock hour (UTC) and the ACTIVITY_HOURS - 1 before it. */
export function activityStart(now: Date): Date {
  return new Date((Math.floor(now.getTime() / HOUR_MS) - (ACTIVITY_HOURS - 1)) * HOUR_MS);
}
