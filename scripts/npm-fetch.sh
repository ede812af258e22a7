#!/usr/bin/env bash
# Sourced by the fetch-*.sh scripts: downloads an npm package tarball once, checks its pinned sha512 integrity
# (so a changed upstream package is noticed, never silently used) and unpacks it.
# npm_fetch <package> <version> <integrity> <workdir>   -> unpacks into <workdir>/x/package
npm_fetch() {
  local pkg="$1" ver="$2" integrity="$3" work="$4"
  ( cd "$work" && npm pack --silent "$pkg@$ver" >/dev/null )
  local tgz actual
  tgz="$(ls "$work"/*.tgz)"
  actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "setup: integrity mismatch for $pkg@$ver: got $actual" >&2
    return 1
  fi
  mkdir -p "$work/x" && tar xzf "$tgz" -C "$work/x"
}
