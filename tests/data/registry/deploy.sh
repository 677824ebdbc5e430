#!/bin/sh
# tests/data/registry/deploy.sh - a local deploy target for the registry tests.
# Copies the model (PLUMB_MODEL_PATH) into $DEPLOY_DIR/current and notes
# which version is live.  Behaviour switches, read from files in
# $DEPLOY_DIR so a test can break one deploy: "fail" makes it exit 3,
# "fail-vN" fails only for version N, "hang-vN" sleeps (timeout) for
# version N, "slow" sleeps 1 s first (to make promotions overlap).
set -eu
: "${DEPLOY_DIR:?}"
: "${PLUMB_MODEL_PATH:?}" "${PLUMB_MODEL_NAME:?}" "${PLUMB_MODEL_VERSION:?}" "${PLUMB_MODEL_STAGE:?}"
echo "deploying $PLUMB_MODEL_NAME v$PLUMB_MODEL_VERSION to $PLUMB_MODEL_STAGE"
echo "$PLUMB_MODEL_NAME v$PLUMB_MODEL_VERSION $PLUMB_MODEL_STAGE" >> "$DEPLOY_DIR/log"
if [ -e "$DEPLOY_DIR/fail-v$PLUMB_MODEL_VERSION" ] || [ -e "$DEPLOY_DIR/fail" ]; then
	echo "deploy broken on purpose" >&2
	exit 3
fi
if [ -e "$DEPLOY_DIR/hang-v$PLUMB_MODEL_VERSION" ]; then
	sleep 30
fi
if [ -e "$DEPLOY_DIR/slow" ]; then
	sleep 1
fi
cp "$PLUMB_MODEL_PATH" "$DEPLOY_DIR/current.tmp"
mv "$DEPLOY_DIR/current.tmp" "$DEPLOY_DIR/current"
echo "$PLUMB_MODEL_VERSION" > "$DEPLOY_DIR/live-version"
