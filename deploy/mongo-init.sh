#!/usr/bin/env bash
# One-shot (the mongo-init service of deploy/compose.yaml): makes mongo1, mongo2 and
# mongo3 the replica set rs0 if it is not one yet, then creates (or updates) the app's
# database user with readWrite on MONGODB_DB only. Safe to run on every `up`.
set -euo pipefail

login=(-u "$MONGO_ROOT_USERNAME" -p "$MONGO_ROOT_PASSWORD" --authenticationDatabase admin --quiet)
set_uri='mongodb://mongo1:27017,mongo2:27017,mongo3:27017/admin?replicaSet=rs0'

# mongo1 answers a ping while its first start is still creating the root user on a
# private address; wait until the root login works from here.
tries=0
until mongosh --host mongo1 --port 27017 "${login[@]}" --eval 'db.adminCommand({ ping: 1 })' >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo 'mongo1 did not accept the root login within 2 minutes' >&2; exit 1; fi
  sleep 2
done

mongosh --host mongo1 --port 27017 "${login[@]}" --eval '
  try {
    rs.status();
    print("replica set rs0: already initiated");
  } catch (e) {
    if (e.codeName !== "NotYetInitialized") throw e;
    rs.initiate({
      _id: "rs0",
      members: [
        { _id: 0, host: "mongo1:27017", priority: 2 },
        { _id: 1, host: "mongo2:27017" },
        { _id: 2, host: "mongo3:27017" },
      ],
    });
    print("replica set rs0: initiated");
  }
'

# Through the set (the driver waits for a primary to be elected, up to 30 s per try).
tries=0
until mongosh "$set_uri" "${login[@]}" --eval '
  const admin = db.getSiblingDB("admin");
  const user = process.env.MONGO_APP_USERNAME;
  const pwd = process.env.MONGO_APP_PASSWORD;
  const roles = [{ role: "readWrite", db: process.env.MONGODB_DB }];
  if (admin.getUser(user)) {
    admin.updateUser(user, { pwd, roles });
    print(`app user ${user}: updated`);
  } else {
    admin.createUser({ user, pwd, roles });
    print(`app user ${user}: created`);
  }
'; do
  tries=$((tries + 1))
  if [ "$tries" -ge 5 ]; then echo 'no primary in replica set rs0' >&2; exit 1; fi
done
