// Live update of the offer comparison: the page works without this file (plain GET
// forms); with it, changing a weight refetches compare.json and redraws the ranking.
// Every sentence and rounded figure comes ready from the document's "summary",
// written by the same Python as the page, so nothing here formats a number.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function init(root) {
    var weightsForm = root.querySelector("form.compare-weights");
    var profileForm = root.querySelector("form.compare-profile-form");
    var saveForm = root.querySelector("form.compare-save");
    var errorLine = root.querySelector(".compare-error");
    var jsonUrl = root.getAttribute("data-json-url");
    var pageUrl = root.getAttribute("data-page-url");
    var applicationPrefix = root.getAttribute("data-application-prefix");
    var colors = {};
    root.querySelectorAll(".swatch[data-factor]").forEach(function (s) {
      colors[s.getAttribute("data-factor")] = s.getAttribute("data-color");
    });
    var timer = null;
    var latest = 0;
    var announcer = root.querySelector(".compare-announce");
    var announceTimer = null;

    function order() {
      return Array.prototype.map.call(
        root.querySelectorAll(".compare-ranking tbody tr"),
        function (tr) { return tr.getAttribute("data-offer-id"); }).join(",");
    }

    // Says the new order in the polite live region, only when it differs from the one
    // shown before. Emptied first, so that the same sentence twice is heard twice.
    function announce(before, doc) {
      if (!announcer || before === order() || !doc.summary.reordered) return;
      clearTimeout(announceTimer);
      announcer.textContent = "";
      announceTimer = setTimeout(function () { announcer.textContent = doc.summary.reordered; }, 100);
    }

    function query(form) {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (String(value).trim() !== "") params.append(key, value);
      });
      return params.toString();
    }

    function showError(message) {
      errorLine.textContent = message;
      errorLine.hidden = !message;
    }

    function refresh(qs, fromProfile) {
      var ticket = ++latest;
      root.classList.add("is-loading");
      fetch(jsonUrl + (qs ? "?" + qs : ""), { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (ticket !== latest) return;
          root.classList.remove("is-loading");
          if (!result.ok) {
            showError(result.body.error || "Could not update the comparison");
            return;
          }
          var known = Object.keys(colors).sort().join("|");
          var now = result.body.factors.map(function (f) { return f.name; }).sort().join("|");
          if (known !== now) {
            // Another set of factors (rating criteria of other offers): the form must change too.
            window.location.assign(pageUrl + (qs ? "?" + qs : ""));
            return;
          }
          showError("");
          var before = order();
          render(result.body);
          announce(before, result.body);
          if (fromProfile) fillWeights(result.body.summary.weights);
          syncSaveForm(result.body.summary.weights);
          history.replaceState(null, "", pageUrl + (qs ? "?" + qs : ""));
          var link = root.querySelector(".compare-json-link");
          if (link) link.setAttribute("href", jsonUrl + (qs ? "?" + qs : ""));
        })
        .catch(function () {
          if (ticket !== latest) return;
          root.classList.remove("is-loading");
          showError("Could not reach the server to update the comparison");
        });
    }

    function fillWeights(weights) {
      Object.keys(weights).forEach(function (name) {
        var input = weightsForm.querySelector('input[name="w.' + CSS.escape(name) + '"]');
        if (input) input.value = weights[name];
      });
    }

    function syncSaveForm(weights) {
      if (!saveForm) return;
      Object.keys(weights).forEach(function (name) {
        var input = saveForm.querySelector('input[name="w.' + CSS.escape(name) + '"]');
        if (input) input.value = weights[name];
      });
    }

    function render(doc) {
      var horizon = root.querySelector('[data-compare="horizon"]');
      if (horizon) horizon.textContent = doc.summary.horizon;
      renderCallouts(doc.summary);
      renderRobustness(doc.summary);
      renderLegend(doc);
      var tbody = root.querySelector(".compare-ranking tbody");
      if (!tbody) return;
      // The cells' data-label (the column name on a narrow screen) is the header's text.
      var heads = Array.prototype.map.call(
        root.querySelectorAll(".compare-ranking thead th"), function (th) { return th.textContent; });
      var rows = doc.offers.map(function (offer, i) {
        return renderRow(offer, doc.summary.offers[i], heads, tbody);
      });
      tbody.replaceChildren.apply(tbody, rows);
    }

    function renderRow(offer, text, heads, tbody) {
      var old = tbody.querySelector('tr[data-offer-id="' + offer.offer_id + '"]');
      var tr = el("tr", { "data-offer-id": String(offer.offer_id) });
      tr.appendChild(el("td", { "class": "num compare-rank", "data-label": heads[0] }, String(offer.rank)));
      var cell = el("td", { "class": "compare-offer" });
      var company = el("a", { "class": "compare-company" }, offer.company);
      // Every offer links to its application page, also one the first ranking did not show.
      company.setAttribute("href", applicationPrefix + encodeURIComponent(String(offer.application_id)));
      cell.appendChild(company);
      cell.appendChild(el("span", { "class": "compare-role" }, offer.role));
      cell.appendChild(el("span", { "class": "muted compare-meta" }, text.details));
      if (text.missing) cell.appendChild(el("span", { "class": "compare-missing" }, text.missing));
      text.warnings.forEach(function (w) {
        cell.appendChild(el("span", { "class": "compare-warning" }, w));
      });
      if (text.what_it_takes) cell.appendChild(el("span", { "class": "compare-takes" }, text.what_it_takes));
      tr.appendChild(cell);
      tr.appendChild(el("td", { "class": "num compare-score", "data-label": heads[2] }, text.score));
      tr.appendChild(el("td", { "class": "num compare-annual", "data-label": heads[3] }, text.annual_comp));
      tr.appendChild(el("td", { "class": "num compare-first", "data-label": heads[4] }, text.first_year_comp));
      var barCell = el("td", { "class": "compare-bar-col" });
      var svg = svgEl("svg", { "class": "compare-bar", viewBox: "0 0 100 10", preserveAspectRatio: "none", role: "img", "aria-label": text.caption });
      var title = svgEl("title");
      title.textContent = text.caption;
      svg.appendChild(title);
      svg.appendChild(svgEl("rect", { "class": "compare-bar-track", x: "0", y: "0", width: "100", height: "10" }));
      text.segments.forEach(function (seg) {
        var rect = svgEl("rect", { x: String(seg.x), y: "0", width: String(seg.width), height: "10", fill: colors[seg.factor] || "#999" });
        var t = svgEl("title");
        t.textContent = seg.title;
        rect.appendChild(t);
        svg.appendChild(rect);
      });
      barCell.appendChild(svg);
      barCell.appendChild(renderBreakdown(offer, text, old));
      tr.appendChild(barCell);
      return tr;
    }

    // The bar's points as text, drawn as the page draws them; left open if it was.
    function renderBreakdown(offer, text, old) {
      var oldDetails = old && old.querySelector("details.compare-breakdown");
      var details = el("details", { "class": "compare-breakdown" });
      if (oldDetails && oldDetails.open) details.open = true;
      var summary = el("summary", {}, "Points by factor");
      summary.appendChild(el("span", { "class": "jh-visually-hidden" }, ": " + offer.company));
      details.appendChild(summary);
      var list = el("dl");
      text.breakdown.forEach(function (b) {
        var group = el("div");
        var name = el("dt");
        var swatch = el("span", { "class": "swatch" });
        swatch.style.background = colors[b.factor] || "#999";
        name.appendChild(swatch);
        name.appendChild(document.createTextNode(b.label));
        group.appendChild(name);
        group.appendChild(el("dd", { "class": "breakdown-value" }, b.value));
        group.appendChild(el("dd", { "class": "breakdown-points" }, b.points));
        list.appendChild(group);
      });
      details.appendChild(list);
      return details;
    }

    function renderLegend(doc) {
      var legend = root.querySelector(".compare-legend");
      if (!legend) return;
      var items = doc.factors.filter(function (f) { return doc.weights[f.name] > 0; }).map(function (f) {
        var li = el("li");
        var swatch = el("span", { "class": "swatch" });
        swatch.style.background = colors[f.name] || "#999";
        li.appendChild(swatch);
        li.appendChild(document.createTextNode(f.label));
        return li;
      });
      legend.replaceChildren.apply(legend, items);
    }

    function renderCallouts(summary) {
      [["close", summary.close_call], ["flips", summary.flips], ["steady", summary.steady]]
        .forEach(function (pair) {
          var p = root.querySelector(".callout-" + pair[0]);
          p.textContent = pair[1] || "";
          p.hidden = !pair[1];
        });
    }

    // How often each offer comes first when the weights vary: drawn again for every new weighting.
    function renderRobustness(summary) {
      var p = root.querySelector(".compare-robustness");
      if (!p) return;
      p.textContent = summary.robustness || "";
      p.hidden = !summary.robustness;
    }

    weightsForm.addEventListener("input", function (event) {
      clearTimeout(timer);
      if (event.target.name === "status") {
        // Another compared set: its size and factors come with a page load.
        weightsForm.submit();
        return;
      }
      timer = setTimeout(function () { refresh(query(weightsForm), false); }, 250);
    });
    weightsForm.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      refresh(query(weightsForm), false);
    });
    if (profileForm) {
      var select = profileForm.querySelector("select");
      select.addEventListener("change", function () {
        var hidden = weightsForm.querySelector('input[type=hidden][name="profile"]');
        if (!hidden) {
          hidden = el("input", { type: "hidden", name: "profile" });
          weightsForm.querySelector(".compare-options").appendChild(hidden);
        }
        hidden.value = select.value;
        var nameField = saveForm && saveForm.querySelector('input[name="profile_name"]');
        if (nameField && select.value) nameField.value = select.value;
        // The profile's weights replace the form's: ask without the w.* fields.
        var params = new URLSearchParams();
        if (select.value) params.append("profile", select.value);
        var horizon = weightsForm.querySelector('input[name="horizon"]');
        if (horizon && horizon.value.trim()) params.append("horizon", horizon.value.trim());
        var all = weightsForm.querySelector('input[name="status"]');
        if (all && all.checked) params.append("status", "all");
        refresh(params.toString(), true);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".jobhunt-compare").forEach(init);
  });
})();
