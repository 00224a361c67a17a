#!/usr/bin/env bash
# Makes sure the servers the tests talk to are up: PostgreSQL, Redis, RabbitMQ, and
# Debian's Chromium for the browser tests. Starts or installs what is missing.
set -u

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # port, name
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 1; done
  echo "test-services: $2 did not come up on port $1" >&2
  return 1
}

if ! up 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_for 5432 PostgreSQL || exit 1
fi
if ! up 6379; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for 6379 Redis || exit 1
fi
if ! up 5672; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached || true
  wait_for 5672 RabbitMQ || exit 1
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  command -v chromium >/dev/null 2>&1 || { echo "test-services: chromium could not be installed" >&2; exit 1; }
fi
exit 0
