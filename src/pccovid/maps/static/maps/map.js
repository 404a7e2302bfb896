/* The epidemic map: draws the units of #map-data (GeoJSON written by the page) with Leaflet, coloured by
   level. Officials: a click loads the unit's side panel (htmx). Public: a click opens a popup with the
   level and counts. No background map unless the page names a tile server (data-tile-url). */
(function () {
  "use strict";
  var COLOURS = { green: "#2e9d4f", yellow: "#f2c200", orange: "#f08a00", red: "#d62d20", grey: "#9aa3ad" };

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function shownValue(element, properties, name) {
    var value = properties.figures[name];
    if (value === null) {
      return properties.suppressed.indexOf(name) >= 0 ? element.dataset.suppressedLabel : "—";
    }
    if (typeof value === "boolean") { return value ? element.dataset.yes : element.dataset.no; }
    return value;
  }

  function popup(element, properties, labels) {
    var rows = Object.keys(labels).filter(function (name) { return name in properties.figures; }).map(
      function (name) {
        return "<dt>" + text(labels[name]) + "</dt><dd>" + text(shownValue(element, properties, name)) + "</dd>";
      }
    );
    return "<strong>" + text(properties.name) + "</strong><br>" + text(properties.level_name) +
      (rows.length ? '<dl class="facts map-facts">' + rows.join("") + "</dl>" : "");
  }

  function style(feature) {
    var selected = feature.properties.selected;
    return {
      color: selected ? "#1b1f24" : "#ffffff",
      weight: selected ? 3 : 1,
      fillColor: COLOURS[feature.properties.colour] || COLOURS.grey,
      fillOpacity: 0.7,
    };
  }

  function openPanel(element, code) {
    var url = element.dataset.panelUrl.replace("CODE", encodeURIComponent(code));
    window.htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" });
  }

  function draw(element) {
    var data = JSON.parse(document.getElementById("map-data").textContent);
    var labels = JSON.parse(document.getElementById("map-labels").textContent);
    var map = window.L.map(element, { zoomSnap: 0.25, attributionControl: true });
    if (element.dataset.tileUrl) {
      window.L.tileLayer(element.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
    }
    if (element.dataset.illustrative) {
      map.attributionControl.addAttribution(text(element.dataset.illustrative));
    }
    var drawn = data.features.filter(function (feature) { return feature.geometry; });
    var layer = window.L.geoJSON({ type: "FeatureCollection", features: drawn }, {
      style: style,
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(feature.properties.name + " · " + feature.properties.level_name);
        if (element.dataset.mode === "official") {
          shape.on("click", function () { openPanel(element, feature.properties.code); });
        } else {
          shape.bindPopup(popup(element, feature.properties, labels));
        }
      },
    }).addTo(map);
    if (drawn.length) {
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    } else {
      map.setView([16, 106], 5);
      var note = document.createElement("p");
      note.className = "map-message muted";
      note.textContent = element.dataset.noShapes;
      element.parentNode.insertBefore(note, element.nextSibling);
    }
    // The shapes' elements exist once the map has a view: name them for tests and assistive tools.
    layer.eachLayer(function (shape) {
      var path = shape.getElement();
      if (path) {
        path.setAttribute("data-code", shape.feature.properties.code);
        path.setAttribute("data-colour", shape.feature.properties.colour);
        path.setAttribute("aria-label", shape.feature.properties.name + ": " + shape.feature.properties.level_name);
      }
    });
    element.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("map");
    if (element && window.L) { draw(element); }
  });
})();
