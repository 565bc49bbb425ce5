#!/bin/sh
# Copy the field console's browser assets from npm's node_modules/ (installed by `npm ci` from
# package-lock.json) into the console's static directory, which is not committed. Used by
# `make assets` and the Dockerfile; collectstatic and WhiteNoise serve the copies.
set -eu
cd "$(dirname "$0")/../.."
vendor=backend/console/static/console/vendor
rm -rf "$vendor"
mkdir -p "$vendor/images"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
  node_modules/leaflet/dist/leaflet.css "$vendor/"
cp node_modules/leaflet/dist/images/*.png "$vendor/images/"
geoman=node_modules/@geoman-io/leaflet-geoman-free/dist
cp "$geoman/leaflet-geoman.min.js" "$geoman/leaflet-geoman.min.js.map" \
  "$geoman/leaflet-geoman.css" "$geoman/leaflet-geoman.css.map" "$vendor/"
touch "$vendor/.built"
