/* The incident page's map: precinct outlines and the team's turf (as on the turf map), and
   drawing the incident's area as a polygon, written into the form's GeoJSON field. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var map = L.map("map", { keyboard: true });
  window.consoleMap = map; // for the browser tests
  if (data.tiles.url) {
    L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  var bounds = L.latLngBounds([]);
  var counties = L.geoJSON(data.counties, {
    style: { color: "#000000", weight: 3, fill: false }, interactive: false, pmIgnore: true
  }).addTo(map);
  var precincts = L.geoJSON(data.precincts, {
    style: { color: "#5b616b", weight: 1, fillColor: "#ffffff", fillOpacity: 0.4 },
    pmIgnore: true,
    onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); }
  }).addTo(map);
  var turfs = L.geoJSON(data.turfs, {
    style: { color: "#0b4f8a", weight: 3, fillOpacity: 0.1 },
    pmIgnore: true,
    onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); }
  }).addTo(map);
  [turfs, precincts, counties].forEach(function (group) {
    if (!bounds.isValid() && group.getLayers().length) { bounds.extend(group.getBounds()); }
  });
  function fit() {
    map.invalidateSize();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([41.6, -93.6], 10); }
  }
  fit();
  var details = document.getElementById("incident-draw");
  details.addEventListener("toggle", function () { if (details.open) { fit(); } });

  var status = document.getElementById("incident-draw-status");
  var field = document.getElementById("id_polygon");
  var drawn = null;
  document.getElementById("incident-draw-start").addEventListener("click", function () {
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    map.pm.enableDraw("Polygon", { snappable: false, allowSelfIntersection: false });
    status.textContent = status.dataset.drawing;
    map.getContainer().focus();
  });
  map.on("pm:create", function (event) {
    drawn = event.layer;
    field.value = JSON.stringify(drawn.toGeoJSON().geometry);
    status.textContent = status.dataset.done;
  });
  var form = document.getElementById("incident-form");
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var button = document.getElementById("incident-declare");
    button.setAttribute("aria-busy", "true");
  });
})();
