/* The turf map: county and precinct outlines (the basemap: no tile server needed), doors
   coloured by their latest result, turf polygons, and drawing a new turf's polygon. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var map = L.map("map", { preferCanvas: false, keyboard: true });
  window.consoleMap = map; // for the browser tests and the curious
  if (data.tiles.url) {
    L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  var bounds = L.latLngBounds([]);  // the doors and turf: where the work is
  var cutForm = document.getElementById("cut-form");
  var cutPrecinct = document.getElementById("id_cut-precinct");
  var counties = L.geoJSON(data.counties, {
    style: { color: "#000000", weight: 3, fill: false }, interactive: false, pmIgnore: true
  }).addTo(map);
  var precincts = L.geoJSON(data.precincts, {
    style: { color: "#5b616b", weight: 1, fillColor: "#ffffff", fillOpacity: 0.4 },
    pmIgnore: true,
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name);
      // One click on a precinct offers to auto-cut it with the form's sizes.
      layer.on("click", function () {
        if (map.pm.globalDrawModeEnabled()) { return; }
        cutPrecinct.value = String(feature.properties.id);
        var box = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = feature.properties.name;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "primary";
        button.textContent = cutForm.dataset.cutThis;
        button.addEventListener("click", function () { cutForm.requestSubmit(); });
        box.appendChild(title);
        box.appendChild(document.createElement("br"));
        box.appendChild(button);
        layer.bindPopup(box).openPopup();
      });
    }
  }).addTo(map);
  var doors = L.layerGroup().addTo(map);
  data.doors.forEach(function (door) {
    L.circleMarker([door[0], door[1]], {
      radius: 4, color: "#000000", weight: 1, fillColor: door[2], fillOpacity: 0.9, pmIgnore: true
    }).bindTooltip(door[3]).addTo(doors);
    bounds.extend([door[0], door[1]]);
  });
  var turfs = L.geoJSON(data.turfs, {
    style: { color: "#0b4f8a", weight: 3, fillOpacity: 0.1 },
    pmIgnore: true,
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name + " (" + p.doors + ")";
      layer.bindPopup(link);
    }
  }).addTo(map);
  if (turfs.getLayers().length) { bounds.extend(turfs.getBounds()); }
  if (!bounds.isValid()) {
    [counties, precincts].forEach(function (group) {
      if (group.getLayers().length) { bounds.extend(group.getBounds()); }
    });
  }
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([41.6, -93.6], 10); }

  var status = document.getElementById("draw-status");
  var field = document.getElementById("id_draw-boundary");
  var drawn = null;
  document.getElementById("draw-start").addEventListener("click", function () {
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    map.pm.enableDraw("Polygon", { snappable: false, allowSelfIntersection: false });
    status.textContent = status.dataset.drawing || "Click the corners on the map; click the first corner to finish.";
    map.getContainer().focus();
  });
  map.on("pm:create", function (event) {
    drawn = event.layer;
    field.value = JSON.stringify(drawn.toGeoJSON().geometry);
    field.closest("details").open = true;
    status.textContent = status.dataset.done || "Polygon drawn. Name the turf and create it.";
    document.getElementById("id_draw-name").focus();
  });
  cutForm.addEventListener("submit", function () {
    var button = document.getElementById("cut-submit");
    button.disabled = true;
    button.textContent = cutForm.dataset.progress;
    button.setAttribute("aria-busy", "true");
  });
})();
