// 地图: Leaflet draws the county outline, schools with the rule's distance ring, and venues
// (red when they have leads in the user's scope, each linked to /leads/{id}) from the JSON at
// the element's data-source. No tile from the internet: a blank map unless data-tile-url names
// the procuratorate's intranet tile server. Every name is put into the popup as text (DOM
// nodes, never HTML strings), so a venue named <script>… shows as that text.
(function () {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function popup(title, lines, leads) {
    var box = el("div", null, "map-popup");
    box.appendChild(el("h3", title));
    lines.forEach(function (line) { if (line) { box.appendChild(el("p", line)); } });
    if (leads && leads.length) {
      var list = el("ul");
      leads.forEach(function (lead) {
        var item = el("li");
        var link = el("a", "线索 " + lead.id + "：" + lead.title);
        link.href = lead.url;
        item.appendChild(link);
        item.appendChild(el("span", "（" + lead.status + "）"));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  function draw(node, data) {
    var map = L.map(node, { attributionControl: false, fadeAnimation: false, maxZoom: 18 });
    var tiles = node.getAttribute("data-tile-url");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    // The view is set before any layer is added: Leaflet cannot draw a vector layer without it.
    var bounds = L.latLngBounds([]);
    var outline = null;
    if (data.outline) {
      outline = L.geoJSON(data.outline, {
        style: { color: "#6d597a", weight: 2, fill: true, fillColor: "#ffffff", fillOpacity: 0.6 }
      });
      bounds.extend(outline.getBounds());
    }
    // the places when there are any (the outline around them for context), else the county
    var places = data.schools.concat(data.venues);
    if (places.length) { bounds = L.latLngBounds([]); }
    places.forEach(function (p) { bounds.extend([p.lat, p.lon]); });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [40, 40], maxZoom: 16 }); } else { map.setView([26.2, 105.5], 9); }
    if (outline) { outline.addTo(map); }
    var ring = data.ring;
    if (ring) {
      document.getElementById("ring-label").textContent =
        ring.model + "：" + ring.metres + " 米（" + ring.source + "）";
    }
    data.schools.forEach(function (s) {
      var at = [s.lat, s.lon];
      if (ring) {
        L.circle(at, {
          radius: ring.metres, color: "#3d5a80", weight: 1, dashArray: "4 4",
          fillColor: "#3d5a80", fillOpacity: 0.08, interactive: false
        }).addTo(map);
      }
      L.circleMarker(at, { radius: 6, color: "#3d5a80", fillColor: "#3d5a80", fillOpacity: 1 })
        .bindPopup(popup(s.name, [s.type, s.address]))
        .addTo(map);
    });
    var withLeads = 0;
    // Venues with leads are drawn last, so that no other venue's marker covers them.
    var order = data.venues.map(function (v, i) { return i; });
    order.sort(function (a, b) {
      return (data.venues[a].leads.length > 0) - (data.venues[b].leads.length > 0) || a - b;
    });
    order.forEach(function (i) {
      var v = data.venues[i];
      var at = [v.lat, v.lon];
      var hot = v.leads.length > 0;
      if (hot) { withLeads += 1; }
      var marker = L.circleMarker(at, {
        radius: hot ? 8 : 5,
        color: hot ? "#6a040f" : "#52796f",
        fillColor: hot ? "#a4161a" : "#81b29a",
        fillOpacity: 0.9,
        className: (hot ? "venue venue-lead" : "venue") + " venue-" + i
      });
      marker.bindPopup(popup(v.name, [v.type + (v.status ? "（" + v.status + "）" : ""), v.address], v.leads));
      marker.addTo(map);
    });
    L.control.scale({ imperial: false }).addTo(map);
    document.getElementById("map-status").textContent =
      "学校 " + data.schools.length + " 所，经营场所 " + data.venues.length + " 处，其中有线索的 " + withLeads + " 处。";
    node.setAttribute("data-ready", "1");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("map");
    if (!node || typeof L === "undefined") { return; }
    fetch(node.getAttribute("data-source"), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (data) { draw(node, data); })
      .catch(function (e) { if (window.console) { console.error(e && e.stack ? e.stack : e); }
        document.getElementById("map-status").textContent = "地图数据加载失败，请刷新页面重试。";
      });
  });
}());
