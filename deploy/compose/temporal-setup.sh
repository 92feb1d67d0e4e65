#!/bin/sh
# Registers the namespace and the search attributes the workflows set
# (src/workflows/search-attributes.ts) on the Temporal server at TEMPORAL_ADDRESS. Safe to run
# at every start: "already exists" counts as done. Any other failure (server unreachable, a name
# refused, an attribute already registered with another type) stops the job with Temporal's
# message, so the API and workers, which wait for this job, do not start against a server that
# would refuse their workflows.
# Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (default: default), TEMPORAL_RETENTION
# (closed workflows' history retention, default 168h), TEMPORAL_WAIT_SECONDS (default 120).
set -eu
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=${TEMPORAL_RETENTION:-168h}
WAIT_SECONDS=${TEMPORAL_WAIT_SECONDS:-120}

waited=0
until health=$(temporal operator cluster health 2>&1); do
  if [ "$waited" -ge "$WAIT_SECONDS" ]; then
    echo "Temporal at ${TEMPORAL_ADDRESS:-127.0.0.1:7233} is not serving after ${WAIT_SECONDS} s:" >&2
    printf '%s\n' "$health" >&2
    exit 1
  fi
  sleep 2
  waited=$((waited + 2))
done

# ensure WHAT COMMAND…: runs a temporal command; "already exists" is success (the CLI itself
# treats a search attribute registered with the same type as done, and refuses another type).
# A namespace just created is unknown to the frontend until its cache refreshes (about 10 s):
# "not found" is retried for a while; anything else fails at once.
ensure() {
  what=$1
  shift
  tries=0
  while :; do
    if out=$(temporal "$@" 2>&1); then
      echo "$what: done"
      return 0
    fi
    case $out in
      *'different type'*) ;;
      *'already exists'*)
        echo "$what: already there"
        return 0
        ;;
      *'not found'*)
        tries=$((tries + 1))
        if [ "$tries" -lt 30 ]; then
          sleep 1
          continue
        fi
        ;;
    esac
    echo "$what: failed" >&2
    printf '%s\n' "$out" >&2
    exit 1
  done
}

ensure "namespace $NAMESPACE" operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
for attribute in BookingId=Keyword BookingStatus=Keyword ParticipantUserIds=KeywordList SyncState=Keyword; do
  name=${attribute%%=*}
  type=${attribute#*=}
  ensure "search attribute $name ($type)" operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
done
echo "Namespace $NAMESPACE is ready."
