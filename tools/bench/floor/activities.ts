/** The floor's stand-in for a calendar write: returns at once. */
export async function touchCalendar(_bookingId: string, _userId: string): Promise<void> {}

/** The floor's stand-in for the service's reconcile preparation: returns at once. */
export async function prepareBooking(_bookingId: string): Promise<void> {}

export const floorActivities = { touchCalendar, prepareBooking };
export type FloorActivities = typeof floorActivities;
