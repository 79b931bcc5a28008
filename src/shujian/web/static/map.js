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
    var map = L.map(node, { preferCanvas: false, attributionControl: false });
    var tiles = node.getAttribute("data-tile-url");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    var bounds = L.latLngBounds([]);
    if (data.outline) {
      var outline = L.geoJSON(data.outline, {
        style: { color: "#6d597a", weight: 2, fill: true, fillColor: "#ffffff", fillOpacity: 0.6 }
      }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    var ring = data.ring;
    if (ring) {
      document.getElementById("ring-label").textContent =
        ring.model + "：" + ring.metres + " 米（" + ring.source + "）";
    }
    data.schools.forEach(function (s) {
      var at = [s.lat, s.lon];
      bounds.extend(at);
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
    data.venues.forEach(function (v) {
      var at = [v.lat, v.lon];
      bounds.extend(at);
      var hot = v.leads.length > 0;
      if (hot) { withLeads += 1; }
      var marker = L.circleMarker(at, {
        radius: hot ? 8 : 5,
        color: hot ? "#6a040f" : "#52796f",
        fillColor: hot ? "#a4161a" : "#81b29a",
        fillOpacity: 0.9,
        className: hot ? "venue venue-lead" : "venue"
      });
      marker.bindPopup(popup(v.name, [v.type + (v.status ? "（" + v.status + "）" : ""), v.address], v.leads));
      marker.addTo(map);
    });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([26.2, 105.5], 9); }
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
      .catch(function () {
        document.getElementById("map-status").textContent = "地图数据加载失败，请刷新页面重试。";
      });
  });
}());
