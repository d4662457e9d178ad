// crossroads dashboard. Plain JavaScript; every string from the server is written with
// textContent (never innerHTML), so names in an uploaded scenario always show as text.
(function () {
  "use strict";

  var PLOT_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"] };

  // Plotly's responsive resize re-measures the container's width AND height; a container
  // whose height comes from its content measures as its CSS min-height, so every chart
  // collapsed on the first window resize. Pin the container to the figure's own height.
  function draw(node, fig, fresh) {
    var h = fig.layout && fig.layout.height;
    node.style.height = h ? h + "px" : "";
    return (fresh ? Plotly.newPlot : Plotly.react)(node, fig.data, fig.layout, PLOT_CONFIG);
  }
  var state = {
    scenario: null, issue: null, model: "mean", preset: "", runs: 1000, seed: 0,
    detail: null, edits: {}, interventions: [], models: [], seq: 0, extraSeq: 0, systemFor: null,
  };
  var timer = null;

  // --- small helpers ------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") { node.textContent = attrs[k]; }
        else if (k === "className") { node.className = attrs[k]; }
        else { node.setAttribute(k, attrs[k]); }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function fmt(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) { return "–"; }
    var d = digits === undefined ? 1 : digits;
    return Number(x).toFixed(d);
  }
  function signed(x) {
    if (Array.isArray(x)) { return x.map(signed).join(", "); }
    return (x > 0 ? "+" : x < 0 ? "−" : "±") + Math.abs(x).toFixed(1);
  }
  function fmtv(x) { return Array.isArray(x) ? x.map(function (v) { return fmt(v); }).join(", ") : fmt(x); }
  function positive(x) { return Array.isArray(x) ? false : x > 0; }
  function negative(x) { return Array.isArray(x) ? false : x < 0; }

  function api(method, path, body) {
    var opts = { method: method, headers: {} };
    if (body instanceof FormData) { opts.body = body; }
    else if (body !== undefined) {
      opts.headers["content-type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var msg = data && data.error ? data.error : ("HTTP " + res.status);
          var err = new Error(msg);
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  function plot(id, fig) {
    var node = $(id);
    if (!fig) { node.classList.add("hidden"); Plotly.purge(node); return; }
    node.classList.remove("hidden");
    draw(node, fig, false);
  }

  function setStatus(text, kind) {
    var s = $("status");
    s.textContent = text;
    s.className = "status" + (kind ? " " + kind : "");
  }
  function showMessage(text, isError) {
    var m = $("upload-message");
    m.textContent = text;
    m.className = "message" + (isError ? " error" : "");
  }

  // --- selections ---------------------------------------------------------------------------
  function fillSelect(select, items, value) {
    clear(select);
    items.forEach(function (it) {
      var o = el("option", { value: it.value, text: it.label });
      if (it.value === value) { o.selected = true; }
      select.appendChild(o);
    });
  }

  function loadScenarios(selectKey) {
    return api("GET", "/api/scenarios").then(function (list) {
      state.scenarios = list;
      var key = selectKey || state.scenario || (list.length ? list[0].key : null);
      fillSelect($("scenario"), list.map(function (s) {
        return { value: s.key, label: s.title + (s.builtin ? "" : " (uploaded: " + (s.filename || s.id) + ")") };
      }), key);
      return chooseScenario(key);
    });
  }

  function chooseScenario(key) {
    state.scenario = key;
    var sc = (state.scenarios || []).filter(function (s) { return s.key === key; })[0];
    var issues = sc ? sc.issues : [];
    fillSelect($("issue"), issues.map(function (i) { return { value: i.id, label: i.title }; }),
      issues.length ? issues[0].id : null);
    $("report-link").setAttribute("href", "/api/report/" + encodeURIComponent(key) + "?runs=" + state.runs);
    state.systemFor = null; state.linkedFor = null;
    if (!$("tab-system").classList.contains("hidden")) { loadSystem(); }
    if (!$("tab-linked").classList.contains("hidden")) { loadLinked(); }
    if (!issues.length) {
      $("issue-title").textContent = "This scenario has no contested issues";
      setStatus("");
      return Promise.resolve();
    }
    return chooseIssue(issues[0].id);
  }

  function chooseIssue(id) {
    state.issue = id;
    state.edits = {};
    state.interventions = [];
    return api("GET", "/api/scenarios/" + encodeURIComponent(state.scenario) + "/issues/" + encodeURIComponent(id))
      .then(function (detail) {
        state.detail = detail;
        // a multi-dimensional issue is forecast by the spatial model
        var spatial = state.models.some(function (m) { return m.name === "smp"; });
        if (detail.dimensions && spatial && state.model !== "smp") {
          state.model = "smp";
          $("model").value = "smp";
          fillPresets();
        }
        renderIssue(detail);
        return update();
      });
  }

  function fillPresets() {
    var m = state.models.filter(function (x) { return x.name === state.model; })[0];
    var presets = m ? m.presets : [];
    fillSelect($("preset"), [{ value: "", label: "(defaults)" }].concat(presets.map(function (p) {
      return { value: p, label: p };
    })), "");
    state.preset = "";
  }

  // --- the issue panel ----------------------------------------------------------------------
  function renderIssue(d) {
    $("issue-title").textContent = d.title;
    $("issue-question").textContent = d.question;
    var ul = $("scale-labels");
    clear(ul);
    ul.appendChild(el("li", null, el("b", { text: "Scale" }), " " + d.scale.min + "–" + d.scale.max));
    d.scale.labels.forEach(function (l) {
      ul.appendChild(el("li", null, el("b", { text: String(l.value) }), " " + l.label));
    });
    var tbody = $("stakes").querySelector("tbody");
    clear(tbody);
    if (d.dimensions) {
      ul.appendChild(el("li", null, el("b", { text: "Dimensions" }), " " + d.dimensions.join(", ")));
      d.stakes.forEach(function (s) {
        tbody.appendChild(el("tr", { "data-actor": s.actor },
          el("td", { className: "name", title: s.name, text: s.name }),
          el("td", { className: "num", text: s.position.join(", ") }),
          el("td", { className: "num", text: s.salience.map(function (v) { return v.toFixed(2); }).join(", ") }),
          el("td", { className: "num", text: String(s.capability) })));
      });
    }
    (d.dimensions ? [] : d.stakes).forEach(function (s, i) {
      var tr = el("tr", { "data-actor": s.actor });
      tr.appendChild(el("td", { className: "name", title: s.name, text: s.name }));
      [["position", d.scale.min, d.scale.max, 1], ["salience", 0, 1, 0.05], ["capability", 0, null, 1]]
        .forEach(function (f) {
          var input = el("input", {
            type: "number", step: String(f[3]), min: String(f[1]),
            "data-field": f[0], "data-actor": s.actor, "aria-label": s.name + " " + f[0],
          });
          if (f[2] !== null) { input.setAttribute("max", String(f[2])); }
          input.value = String(s[f[0]]);
          input.dataset.original = String(s[f[0]]);
          input.addEventListener("change", onStakeChange);
          tr.appendChild(el("td", { className: "num" }, input));
        });
      tbody.appendChild(tr);
    });
    var box = $("interventions");
    clear(box);
    if (!d.interventions.length) {
      box.appendChild(el("p", { className: "muted", text: "No intervention of this scenario changes this issue." }));
    }
    d.interventions.forEach(function (iv) {
      var cb = el("input", { type: "checkbox", value: iv.id, "data-intervention": iv.id });
      cb.addEventListener("change", onInterventionToggle);
      box.appendChild(el("label", null, cb, el("span", null, el("b", { text: iv.name }),
        iv.description ? el("span", { className: "desc", text: iv.description }) : null)));
    });
    var obs = d.observed;
    $("observed-value").textContent = obs ? fmt(obs.value) : "not known";
    $("observed-sub").textContent = obs ? (obs.date ? "as of " + obs.date : "") : "";
  }

  function onStakeChange(ev) {
    var input = ev.target;
    var actor = input.dataset.actor, field = input.dataset.field;
    var v = input.value === "" ? null : Number(input.value);
    var edit = state.edits[actor] || {};
    if (v === null || String(v) === input.dataset.original) {
      delete edit[field];
      input.classList.remove("edited");
    } else {
      edit[field] = v;
      input.classList.add("edited");
    }
    if (Object.keys(edit).length) { state.edits[actor] = edit; } else { delete state.edits[actor]; }
    schedule();
  }

  function onInterventionToggle() {
    state.interventions = Array.prototype.slice.call(
      document.querySelectorAll("#interventions input:checked")).map(function (c) { return c.value; });
    schedule();
  }

  function request(extra) {
    var stakes = Object.keys(state.edits).map(function (actor) {
      var e = state.edits[actor];
      return { actor: actor, position: e.position, salience: e.salience, capability: e.capability };
    });
    var body = {
      scenario: state.scenario, issue: state.issue, model: state.model,
      preset: state.preset || null, stakes: stakes, interventions: state.interventions,
    };
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    return body;
  }

  // --- the update ---------------------------------------------------------------------------
  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 150);
  }

  function update() {
    if (!state.scenario || !state.issue) { return Promise.resolve(); }
    var seq = ++state.seq;
    var t0 = performance.now();
    setStatus("updating…", "busy");
    document.body.dataset.ready = "false";
    return api("POST", "/api/explore", request({ runs: state.runs, seed: state.seed }))
      .then(function (res) {
        if (seq !== state.seq) { return; }
        render(res);
        var ms = performance.now() - t0;
        setStatus("Updated in " + Math.round(ms) + " ms (server " + Math.round(res.elapsed * 1000) +
          " ms" + (state.runs ? ", " + state.runs.toLocaleString() + " ensemble runs" : "") + ").");
        markInvalid(null);
        done();
        extras(seq);
      })
      .catch(function (err) {
        if (seq !== state.seq) { return; }
        setStatus(err.message, "error");
        markInvalid(err.message);
        done();
      });
  }

  // the page says when an update has finished: data-ready, and a count of updates
  function done() {
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    document.body.dataset.ready = "true";
  }

  function markInvalid(message) {
    document.querySelectorAll("#stakes input.invalid").forEach(function (i) { i.classList.remove("invalid"); });
    if (!message) { return; }
    // the server names the row: "stake of Russia, salience: must be ..."
    var m = /^stake of (.+), (position|salience|capability): /.exec(message);
    if (!m) { return; }
    var input = document.querySelector('#stakes input[aria-label="' + CSS.escape(m[1] + " " + m[2]) + '"]');
    if (input) { input.classList.add("invalid"); }
  }

  function render(res) {
    var b = res.baseline;
    $("forecast-value").textContent = fmtv(b.outcome);
    $("forecast-sub").textContent = res.model + ", " + b.rounds + " round" + (b.rounds === 1 ? "" : "s") +
      (res.edited ? " · your stake edits" : "");
    if (res.variant) {
      $("variant-value").textContent = fmtv(res.variant.outcome);
      var sh = $("shift-value");
      sh.textContent = "shift " + signed(res.shift) + " points";
      sh.className = "s " + (positive(res.shift) ? "up" : negative(res.shift) ? "down" : "");
    } else {
      $("variant-value").textContent = "–";
      $("shift-value").textContent = "tick an intervention";
      $("shift-value").className = "s";
    }
    var e = res.ensemble;
    var shown = e.variant || e.baseline;
    if (shown) {
      $("ensemble-value").textContent = fmt(shown.median);
      $("ensemble-sub").textContent = fmt(shown.q05) + " … " + fmt(shown.q95) + " over " +
        shown.runs.toLocaleString() + " runs" + (e.variant ? " (with interventions; mean shift " +
        signed(e.mean_shift) + ")" : "");
    } else {
      $("ensemble-value").textContent = "–";
      $("ensemble-sub").textContent = e.note || "ensemble off (runs = 0)";
    }
    var c = res.calibrated;
    if (c) {
      $("calibrated-value").textContent = fmt(c.lo) + " … " + fmt(c.hi);
      $("calibrated-sub").textContent = "of the " + (c.of === "variant" ? "forecast with interventions" : "forecast") +
        "; split conformal on " + c.source + ", not input noise";
    } else {
      $("calibrated-value").textContent = "–";
      $("calibrated-sub").textContent = res.calibrated_reason || "no calibration";
    }
    if (res.observed !== null && res.observed !== undefined && !Array.isArray(b.outcome)) {
      var err = Math.abs((res.variant || b).outcome - res.observed);
      $("observed-sub").textContent = "error of this forecast: " + fmt(err);
    }
    plot("fig-trajectory", res.figures.trajectory);
    plot("fig-ensemble", res.figures.ensemble || null);
    plot("fig-stakes", res.figures.stakes);
    plot("fig-positions", res.figures.positions || null);
  }

  // compare (when interventions are ticked) and the tornado, after the main update
  function extras(seq) {
    var mine = ++state.extraSeq;
    var runs = Math.max(state.runs, 1);
    if (state.interventions.length && state.runs > 0) {
      $("compare-words").textContent = "comparing…";
      api("POST", "/api/compare", request({ runs: runs, seed: state.seed, figures: true }))
        .then(function (res) {
          if (mine !== state.extraSeq) { return; }
          $("compare-words").textContent = res.variants.slice(1).map(function (v) { return v.summary; }).join(". ") + ".";
          plot("fig-compare", res.figure);
        })
        .catch(function (err) { if (mine === state.extraSeq) { $("compare-words").textContent = err.message; } });
    } else {
      $("compare-words").textContent = "Tick an intervention to compare it with the baseline on the same random draws.";
      plot("fig-compare", null);
    }
    api("POST", "/api/sensitivity", request({ runs: 1, seed: state.seed, method: "oat", figures: true }))
      .then(function (res) {
        if (mine !== state.extraSeq) { return; }
        $("sens-words").textContent = res.summary;
        plot("fig-tornado", res.figure);
      })
      .catch(function (err) {
        if (mine !== state.extraSeq) { return; }
        $("sens-words").textContent = err.message;
        plot("fig-tornado", null);
      });
  }

  // --- upload -------------------------------------------------------------------------------
  function onUpload(ev) {
    var file = ev.target.files[0];
    if (!file) { return; }
    var form = new FormData();
    form.append("file", file, file.name);
    showMessage("Checking " + file.name + "…", false);
    api("POST", "/api/upload", form).then(function (res) {
      showMessage("Loaded “" + res.title + "” from " + res.filename + " (" + res.issues.length +
        " issue" + (res.issues.length === 1 ? "" : "s") + ").", false);
      return loadScenarios(res.key);
    }).catch(function (err) {
      showMessage("Upload refused — " + err.message, true);
    }).then(function () { ev.target.value = ""; });
  }

  // --- the system tab -----------------------------------------------------------------------
  function table(t) {
    var tb = el("table");
    if (t.caption) { tb.appendChild(el("caption", { text: t.caption })); }
    var head = el("tr");
    t.columns.forEach(function (c, i) { head.appendChild(el("th", { className: t.numeric[i] ? "num" : "", text: c })); });
    tb.appendChild(el("thead", null, head));
    var body = el("tbody");
    t.rows.forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (v, i) { tr.appendChild(el("td", { className: t.numeric[i] ? "num" : "", text: v })); });
      body.appendChild(tr);
    });
    tb.appendChild(body);
    return el("div", { className: "table-wrap" }, tb);
  }

  function loadSystem() {
    var key = state.scenario;
    if (!key || state.systemFor === key) { return; }
    state.systemFor = key;
    var box = $("system");
    clear(box);
    box.appendChild(el("p", { className: "muted", text: "Loading…" }));
    api("GET", "/api/system?scenario=" + encodeURIComponent(key) + "&model=" + encodeURIComponent(state.model))
      .then(function (res) {
        clear(box);
        res.sections.forEach(function (s) {
          var sec = el("div", { className: "section" }, el("h2", { text: s.title }));
          box.appendChild(sec);
          if (!s.available) {
            sec.appendChild(el("div", { className: "unavailable", text: "Not available: " + s.reason }));
            return;
          }
          if (s.words) { sec.appendChild(el("p", { text: s.words })); }
          s.figures.forEach(function (f) {
            var div = el("div", { className: "plot" });
            sec.appendChild(el("div", { className: "card plot-card" }, div));
            sec.appendChild(el("p", { className: "caption", text: f.caption }));
            draw(div, f.figure, true);
          });
          s.tables.forEach(function (t) { sec.appendChild(table(t)); });
        });
      })
      .catch(function (err) {
        state.systemFor = null;
        clear(box);
        box.appendChild(el("div", { className: "unavailable", text: err.message }));
      });
  }

  // --- the linked issues tab ----------------------------------------------------------------
  function records(caption, rows, cols, digits) {
    var tb = el("table");
    tb.appendChild(el("caption", { text: caption }));
    var head = el("tr");
    cols.forEach(function (c) { head.appendChild(el("th", { text: c[1] })); });
    tb.appendChild(el("thead", null, head));
    var body = el("tbody");
    rows.forEach(function (r) {
      var tr = el("tr");
      cols.forEach(function (c) {
        var v = r[c[0]];
        var num = typeof v === "number";
        tr.appendChild(el("td", { className: num ? "num" : "", text: num ? (Number.isInteger(v) ? String(v) : fmt(v, digits)) : (v === null || v === undefined ? "" : String(v)) }));
      });
      body.appendChild(tr);
    });
    tb.appendChild(body);
    return el("div", { className: "table-wrap" }, tb);
  }

  function addPlot(sec, fig, cls) {
    if (!fig) { return; }
    var div = el("div", { className: "plot " + (cls || "") });
    sec.appendChild(el("div", { className: "card plot-card" }, div));
    draw(div, fig, true);
  }

  function loadLinked() {
    var key = state.scenario;
    if (!key || state.linkedFor === key) { return; }
    state.linkedFor = key;
    document.body.dataset.linkedReady = "false";
    var box = $("linked");
    clear(box);
    box.appendChild(el("p", { className: "muted", text: "Computing the linked sets and aims…" }));
    var models = ["mean", "median", "eum"].filter(function (m) {
      return state.models.some(function (x) { return x.name === m; });
    });
    api("POST", "/api/linked/summary", { scenario: key, runs: state.runs > 0 ? Math.min(state.runs, 20000) : 1024, seed: state.seed, models: models })
      .then(function (res) {
        clear(box);
        if (!res.sets.length) {
          box.appendChild(el("div", { className: "unavailable", text: "This scenario links no issues: no active linkage, and no intervention switches one on." }));
        }
        res.sets.forEach(function (s) {
          var sec = el("div", { className: "section linked-set" }, el("h2", { text: s.issues.join(" + ") + (s.active ? " (active linkage)" : " (proposed linkage)") }));
          box.appendChild(sec);
          sec.appendChild(el("p", { text: s.headline }));
          if (s.note) { sec.appendChild(el("p", { className: "muted", text: s.note })); }
          addPlot(sec, s.figures && s.figures.moved, "fig-moved");
          sec.appendChild(records("Realised trades, largest joint gain first", s.trades,
            [["round", "round"], ["name_i", "i"], ["i_gives", "i gives ground on"], ["name_j", "j"], ["j_gives", "j gives ground on"], ["gain_i", "gain of i"], ["gain_j", "gain of j"]], 2));
          sec.appendChild(records("Each issue before and after the exchanges", s.moves,
            [["issue", "issue"], ["before", "before"], ["after", "after"], ["move", "move"], ["exchanges", "exchanges"]], 2));
          if (s.comparison) {
            addPlot(sec, s.figures && s.figures.with_without, "fig-with-without");
            sec.appendChild(records("With and without the link (" + Number(s.runs).toLocaleString() + " runs, common random numbers)", s.comparison,
              [["issue", "issue"], ["variant", "variant"], ["linked", "linked"], ["mean", "mean"], ["q05", "q05"], ["q95", "q95"], ["shift", "shift"], ["shift_ci", "± 95%"]], 2));
          }
        });
        res.aims.forEach(function (a) {
          var sec = el("div", { className: "section aim" }, el("h2", { text: "Aim: " + (a.aim.name || a.aim.id) }));
          box.appendChild(sec);
          sec.appendChild(el("p", { text: a.aim.issue + ": P(forecast " + a.aim.target + ") >= " + a.aim.probability }));
          var ul = el("ul");
          a.answers.forEach(function (x) { ul.appendChild(el("li", { text: x.headline })); });
          sec.appendChild(ul);
          addPlot(sec, a.figure, "fig-frontier");
        });
        document.body.dataset.linkedReady = "true";
      })
      .catch(function (err) {
        state.linkedFor = null;
        clear(box);
        box.appendChild(el("div", { className: "unavailable", text: err.message }));
        document.body.dataset.linkedReady = "error";
      });
  }

  // --- past runs ----------------------------------------------------------------------------
  function loadRuns() {
    api("GET", "/api/runs?limit=100").then(function (res) {
      $("runs-store").textContent = res.store ? "Run store: " + res.store : "This server has no run store.";
      var tbody = $("runs-table").querySelector("tbody");
      clear(tbody);
      if (!res.runs.length) {
        tbody.appendChild(el("tr", null, el("td", { colspan: "9", className: "muted", text: "No runs saved yet." })));
      }
      res.runs.forEach(function (r) {
        var tr = el("tr", { "data-run": String(r.id) },
          el("td", { className: "num", text: String(r.id) }), el("td", { text: r.kind }),
          el("td", { text: r.created }), el("td", { text: r.scenario }), el("td", { text: r.issue }),
          el("td", { text: r.model + (r.preset ? " (" + r.preset + ")" : "") }),
          el("td", { className: "num", text: Number(r.runs).toLocaleString() }),
          el("td", { className: "num", text: String(r.seed) }), el("td", { text: r.headline || "" }));
        tr.addEventListener("click", function () { showRun(r.id); });
        tbody.appendChild(tr);
      });
    }).catch(function (err) { $("runs-store").textContent = err.message; });
  }

  function showRun(id) {
    api("GET", "/api/runs/" + id).then(function (r) {
      var pre = $("run-detail");
      pre.textContent = JSON.stringify(r, null, 2);
      pre.classList.remove("hidden");
    }).catch(function (err) { $("runs-store").textContent = err.message; });
  }

  function saveRun() {
    var msg = $("save-message");
    msg.textContent = "saving…";
    api("POST", "/api/ensemble", request({ runs: Math.max(state.runs, 1), seed: state.seed, save: true }))
      .then(function (r) { msg.textContent = "Saved as run " + r.run_id + "."; })
      .catch(function (err) { msg.textContent = err.message; });
  }

  // --- start --------------------------------------------------------------------------------
  function tabs() {
    document.querySelectorAll("nav.tabs button").forEach(function (b) {
      b.addEventListener("click", function () {
        document.querySelectorAll("nav.tabs button").forEach(function (x) {
          x.classList.toggle("active", x === b);
          x.setAttribute("aria-selected", x === b ? "true" : "false");
        });
        document.querySelectorAll("section.tab").forEach(function (s) {
          s.classList.toggle("hidden", s.id !== "tab-" + b.dataset.tab);
        });
        if (b.dataset.tab === "system") { loadSystem(); }
        if (b.dataset.tab === "runs") { loadRuns(); }
        if (b.dataset.tab === "linked") { loadLinked(); }
        if (b.dataset.tab === "forecast") { window.dispatchEvent(new Event("resize")); }
      });
    });
  }

  function start() {
    state.runs = Number(document.body.dataset.runs) || 0;
    tabs();
    $("scenario").addEventListener("change", function (e) { chooseScenario(e.target.value); });
    $("issue").addEventListener("change", function (e) { chooseIssue(e.target.value); });
    $("model").addEventListener("change", function (e) {
      state.model = e.target.value; fillPresets(); state.systemFor = null; schedule();
    });
    $("preset").addEventListener("change", function (e) { state.preset = e.target.value; schedule(); });
    $("runs").addEventListener("change", function (e) {
      var v = Math.floor(Number(e.target.value));
      var max = Number(document.body.dataset.maxRuns);
      if (!(v >= 0 && v <= max)) { setStatus("runs must be a whole number 0-" + max, "error"); return; }
      state.runs = v;
      $("report-link").setAttribute("href", "/api/report/" + encodeURIComponent(state.scenario) + "?runs=" + v);
      schedule();
    });
    $("seed").addEventListener("change", function (e) {
      var v = Math.floor(Number(e.target.value));
      if (!(v >= 0)) { setStatus("seed must be a whole number >= 0", "error"); return; }
      state.seed = v; schedule();
    });
    $("reset-stakes").addEventListener("click", function () {
      state.edits = {};
      document.querySelectorAll("#stakes input").forEach(function (i) {
        i.value = i.dataset.original; i.classList.remove("edited", "invalid");
      });
      schedule();
    });
    $("upload").addEventListener("change", onUpload);
    $("save-run").addEventListener("click", saveRun);
    $("refresh-runs").addEventListener("click", loadRuns);
    api("GET", "/api/models").then(function (models) {
      state.models = models;
      // the command line's default model (the API marks it), so both give the same forecast
      var dflt = models.filter(function (m) { return m.default; })[0];
      var pick = dflt ? dflt.name : models[0].name;
      state.model = pick;
      fillSelect($("model"), models.map(function (m) { return { value: m.name, label: m.name }; }), pick);
      fillPresets();
      return loadScenarios();
    }).catch(function (err) { setStatus(err.message, "error"); });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
