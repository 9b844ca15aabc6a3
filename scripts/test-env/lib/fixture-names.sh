# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts sourcing this
# Names shared by up.sh, down.sh, smoke.sh and the tests. Override with environment variables.
# The tags carry the major versions Debian bookworm ships (PostgreSQL 15, Node.js 18), so the
# locally built images and the public ones pulled on a workstation run the same majors.

FIXTURE_SUITE="${RAMPART_FIXTURE_SUITE:-bookworm}"
FIXTURE_POSTGRES_MAJOR="${RAMPART_FIXTURE_POSTGRES_MAJOR:-15}"
FIXTURE_NODE_MAJOR="${RAMPART_FIXTURE_NODE_MAJOR:-18}"
FIXTURE_POSTGRES_IMAGE="${RAMPART_FIXTURE_POSTGRES_IMAGE:-rampart-fixture/postgres:$FIXTURE_POSTGRES_MAJOR}"
FIXTURE_NODE_IMAGE="${RAMPART_FIXTURE_NODE_IMAGE:-rampart-fixture/node:$FIXTURE_NODE_MAJOR}"
# Public images tagged with the fixture names when a registry is used.
PUBLIC_POSTGRES_IMAGE="postgres:$FIXTURE_POSTGRES_MAJOR"
PUBLIC_NODE_IMAGE="node:$FIXTURE_NODE_MAJOR-slim"

# Everything the tests start carries this label; down.sh removes exactly that.
TEST_LABEL="${RAMPART_TEST_LABEL:-rampart.test=1}"

STATE_DIR="${RAMPART_TEST_ENV_DIR:-/tmp/rampart-test-env}"
STATE_FILE="$STATE_DIR/state"
DOCKERD_PIDFILE="$STATE_DIR/dockerd.pid"
DOCKERD_LOG="$STATE_DIR/dockerd.log"
IMAGES_ENV_FILE="$STATE_DIR/images.env"
