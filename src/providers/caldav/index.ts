export { CalDavCalendarProvider } from './calendar-provider';
export { BOOKING_PROPERTY, buildIcs } from './ics';
export { caldavUid, objectUrl } from './uid';
export { discoverCalDav, type DiscoveredAccount } from './discover';
