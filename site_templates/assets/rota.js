/* Rota: keeps the "on call now" tables live.
 *
 * The page carries the build-time answer (it works without JavaScript). This
 * script reads data/schedule.json and data/directory.json from the site itself
 * and recomputes who is on call with the reader's clock, every minute and after
 * every instant navigation (Material's document$). It only ever sets text and
 * same-site links, never HTML.
 *
 * Opened from disk (file://, a site built with `rota build --offline`) the browser
 * refuses fetch: the same data comes from data/schedule.js and data/directory.js,
 * loaded with script tags, and links to people name their index.html.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var root = new URL("..", here || window.location.href);
  var fromDisk = window.location.protocol === "file:";
  var data = null;

  function viaScript(path) {
    var name = path.split("/").pop();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = new URL(path.replace(/\.json$/, ".js"), root).href;
      script.onload = function () {
        var found = window.rotaData && window.rotaData[name];
        if (found) resolve(found); else reject(new Error(path + ": not in its script"));
      };
      script.onerror = function () { reject(new Error(path + ": no script (not an offline build)")); };
      document.head.appendChild(script);
    });
  }

  function viaFetch(path) {
    return fetch(new URL(path, root).href, { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    });
  }

  function load() {
    if (!data) {
      data = Promise.all(
        ["data/schedule.json", "data/directory.json"].map(fromDisk ? viaScript : viaFetch)
      ).then(function (both) {
        var shifts = both[0].shifts.map(function (s) {
          return {
            team: s.team, rotation: s.rotation, person: s.person,
            start: Date.parse(s.start), end: Date.parse(s.end)
          };
        });
        var byKey = {};  // team/rotation -> shifts: 200 rotations stay quick
        shifts.forEach(function (s) {
          (byKey[s.team + "/" + s.rotation] = byKey[s.team + "/" + s.rotation] || []).push(s);
        });
        return {
          from: Date.parse(both[0].from), to: Date.parse(both[0].to),
          shifts: shifts, byKey: byKey, directory: both[1]
        };
      });
      data.catch(function () { data = null; });
    }
    return data;
  }

  function when(ms, tz) {
    var d = new Date(ms);
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      weekday: "short", day: "2-digit", month: "short", hour: "2-digit",
      minute: "2-digit", hourCycle: "h23", timeZone: tz
    }).formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
    var zoneName = "";
    new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "short" })
      .formatToParts(d).forEach(function (p) { if (p.type === "timeZoneName") zoneName = p.value; });
    return parts.weekday + " " + parts.day + " " + parts.month + " " + parts.hour + ":" +
      parts.minute + " " + zoneName;
  }

  function timeEl(ms, tz) {
    var t = document.createElement("time");
    t.dateTime = new Date(ms).toISOString();
    t.textContent = when(ms, tz);
    return t;
  }

  function personLink(dir, id) {
    if (id === null || id === undefined) {  // a shift nobody could take
      var gap = document.createElement("span");
      gap.className = "rota-uncovered";
      gap.textContent = "Nobody (uncovered)";
      return gap;
    }
    var a = document.createElement("a");
    a.href = new URL("people/" + encodeURIComponent(id) + "/" + (fromDisk ? "index.html" : ""), root).href;
    a.textContent = (dir.people && dir.people[id]) || id;
    return a;
  }

  function fill(td, nodes) {
    if (!td) return;
    var cell = td.querySelector(".rota-cell") || td;
    while (cell.firstChild) cell.removeChild(cell.firstChild);
    nodes.forEach(function (n) {
      cell.appendChild(typeof n === "string" ? document.createTextNode(n) : n);
    });
  }

  function updateRow(row, d, now) {
    var team = row.getAttribute("data-team");
    var rotation = row.getAttribute("data-rotation");
    var tz = (d.directory.teams[team] || {}).timezone || "UTC";
    var mine = d.byKey[team + "/" + rotation] || [];
    var current = mine.filter(function (s) { return s.start <= now && now < s.end; });
    var holders = current.map(function (s) { return s.person; });
    var next = mine.filter(function (s) {
      return s.start > now && holders.indexOf(s.person) < 0;
    }).sort(function (a, b) { return a.start - b.start; })[0];
    var key = holders.join(" ") + "|" + (current.length ? Math.floor(current[0].end / 1000) : "") +
      "|" + (next ? (next.person || "") + "@" + Math.floor(next.start / 1000) : "");
    row.setAttribute("data-rota-person-ids", holders.join(" "));
    if (row.getAttribute("data-rota-key") === key) return;  // the page's answer still holds
    row.setAttribute("data-rota-key", key);
    var people = [];
    current.forEach(function (s, i) {
      if (i) people.push(", ");
      people.push(personLink(d.directory, s.person));
    });
    var starts = Date.parse(row.getAttribute("data-rota-starts") || "");
    if (!current.length && now < starts) {  // the rotation's first handoff is to come
      var first = mine.slice().sort(function (a, b) { return a.start - b.start; })[0];
      var note = document.createElement("span");
      note.className = "rota-starts";
      note.appendChild(document.createTextNode("Not started: starts "));
      note.appendChild(timeEl(first ? first.start : starts, tz));
      if (first) {
        note.appendChild(document.createTextNode(" with "));
        note.appendChild(personLink(d.directory, first.person));
      }
      people.push(note);
    } else if (!current.length) {
      var none = document.createElement("span");
      none.className = "rota-nobody";
      none.textContent = "Nobody (outside coverage)";
      people.push(none);
    }
    fill(row.querySelector("[data-rota-person]"), people);
    fill(row.querySelector("[data-rota-until]"), current.length ? [timeEl(current[0].end, tz)] : ["–"]);
    if (next) {
      var muted = document.createElement("span");
      muted.className = "rota-muted";
      muted.appendChild(document.createTextNode("from "));
      muted.appendChild(timeEl(next.start, tz));
      fill(row.querySelector("[data-rota-next]"), [personLink(d.directory, next.person), " ", muted]);
    } else {
      fill(row.querySelector("[data-rota-next]"), ["–"]);
    }
  }

  /* The home page's filter: shows the rotations whose team, name, or people on call
   * or next contain the text typed, and opens the folded teams while it is set. */
  function clean(text) { return text.toLowerCase().replace(/\s+/g, " ").trim(); }

  function applyFilter(block, input) {
    var query = clean(input.value);
    var groups = block.querySelectorAll("[data-rota-group]");
    var shown = 0, rows = 0;
    groups.forEach(function (group) {
      var head = group.querySelector("tr.rota-group");
      var teamText = head ? clean(head.textContent) : "";
      var any = false;
      group.querySelectorAll("[data-rota-now]").forEach(function (row) {
        var names = [teamText];
        var rotation = row.querySelector("[data-label=Rotation]");
        if (rotation) names.push(clean(rotation.textContent));
        row.querySelectorAll("a").forEach(function (a) { names.push(clean(a.textContent)); });
        var match = !query || names.some(function (n) { return n.indexOf(query) >= 0; });
        row.hidden = !match;
        rows += 1;
        if (match) { any = true; shown += 1; }
      });
      group.hidden = !any;
    });
    block.querySelectorAll("table").forEach(function (table) {
      var groupsHere = table.querySelectorAll("[data-rota-group]");
      table.hidden = groupsHere.length > 0 &&
        Array.prototype.every.call(groupsHere, function (g) { return g.hidden; });
    });
    var more = block.querySelector("[data-rota-more]");
    if (more && query) more.open = true;
    var status = block.querySelector("[data-rota-filter-status]");
    if (status) {
      status.textContent = query ? shown + " of " + rows + " rotations match" : "";
    }
  }

  function bindFilter() {
    document.querySelectorAll("[data-rota-live]").forEach(function (block) {
      var input = block.querySelector("[data-rota-filter]");
      if (!input || input.getAttribute("data-rota-bound")) return;
      input.setAttribute("data-rota-bound", "1");
      input.addEventListener("input", function () { applyFilter(block, input); });
      if (input.value) applyFilter(block, input);
    });
  }

  /* Feed subscription addresses, when the build did not know the site's address
   * (settings.site.url): this page's own address, as the reader's browser reaches it. */
  function feedAddresses() {
    if (!/^https?:$/.test(window.location.protocol)) return;
    document.querySelectorAll("[data-rota-feed]").forEach(function (block) {
      var url = new URL(block.getAttribute("data-rota-feed"), window.location.href);
      url.hash = ""; url.search = "";
      var webcal = "webcal://" + url.host + url.pathname;
      var link = block.querySelector("[data-rota-feed-webcal]");
      if (link) link.href = webcal;
      var text = block.querySelector("[data-rota-feed-webcal-text]");
      if (text) text.textContent = webcal;
      var https = block.querySelector("[data-rota-feed-https]");
      if (https) https.textContent = url.href;
    });
  }

  function update() {
    bindFilter();
    feedAddresses();
    var blocks = document.querySelectorAll("[data-rota-live]");
    if (!blocks.length) return;
    load().then(function (d) {
      var now = Date.now();
      var fresh = now >= d.from && now < d.to;
      blocks.forEach(function (block) {
        var status = block.querySelector("[data-rota-status]");
        if (!fresh) {
          if (status) status.textContent =
            "This site's schedule does not reach the present: showing the answer from when it was built.";
          block.setAttribute("data-rota-state", "stale");
          return;
        }
        block.querySelectorAll("[data-rota-now]").forEach(function (row) { updateRow(row, d, now); });
        if (status) {
          status.textContent = "Live: as of " + when(now, Intl.DateTimeFormat().resolvedOptions().timeZone) +
            " (your clock), from the published schedule.";
        }
        block.setAttribute("data-rota-state", "live");
      });
    }, function () {
      blocks.forEach(function (block) { block.setAttribute("data-rota-state", "build"); });
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(update);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.setInterval(update, 60 * 1000);
})();
