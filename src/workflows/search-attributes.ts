import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes operators filter by in the Web UI (no PII, no secrets). They must be
 * registered on the Temporal server (the dev server started by this project does it).
 */
export const BookingIdKey = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const BookingStatusKey = defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD);
export const ParticipantUserIdsKey = defineSearchAttributeKey('ParticipantUserIds', SearchAttributeType.KEYWORD_LIST);
export const SyncStateKey = defineSearchAttributeKey('SyncState', SearchAttributeType.KEYWORD);

/** Name → type, for registering them on a server. */
export const SEARCH_ATTRIBUTES = {
  BookingId: 'Keyword',
  BookingStatus: 'Keyword',
  ParticipantUserIds: 'KeywordList',
  SyncState: 'Keyword',
} as const;
