// Live update of the offer comparison: the page works without this file (plain GET
// forms); with it, changing a weight refetches compare.json and redraws the ranking.
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

  function money(value) {
    return value === null ? "\u2014" : Math.round(value).toLocaleString("en-US");
  }

  function fixed(value, digits) {
    return Number(value).toFixed(digits);
  }

  function weightText(value) {
    return String(Number(value));
  }

  function init(root) {
    var weightsForm = root.querySelector("form.compare-weights");
    var profileForm = root.querySelector("form.compare-profile-form");
    var saveForm = root.querySelector("form.compare-save");
    var errorLine = root.querySelector(".compare-error");
    var jsonUrl = root.getAttribute("data-json-url");
    var pageUrl = root.getAttribute("data-page-url");
    var colors = {};
    root.querySelectorAll(".swatch[data-factor]").forEach(function (s) {
      colors[s.getAttribute("data-factor")] = s.getAttribute("data-color");
    });
    var timer = null;
    var latest = 0;

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
          render(result.body);
          if (fromProfile) fillWeights(result.body.weights);
          syncSaveForm(result.body.weights);
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
        if (input) input.value = weightText(weights[name]);
      });
    }

    function syncSaveForm(weights) {
      if (!saveForm) return;
      Object.keys(weights).forEach(function (name) {
        var input = saveForm.querySelector('input[name="w.' + CSS.escape(name) + '"]');
        if (input) input.value = weightText(weights[name]);
      });
    }

    function render(doc) {
      var labels = {};
      doc.factors.forEach(function (f) { labels[f.name] = f.label; });
      var horizon = root.querySelector('[data-compare="horizon"]');
      if (horizon) horizon.textContent = weightText(doc.horizon);
      renderCallouts(doc, labels);
      renderLegend(doc);
      var tbody = root.querySelector(".compare-ranking tbody");
      if (!tbody) return;
      var rows = doc.offers.map(function (offer) { return renderRow(doc, offer, labels, tbody); });
      tbody.replaceChildren.apply(tbody, rows);
    }

    function renderRow(doc, offer, labels, tbody) {
      var old = tbody.querySelector('tr[data-offer-id="' + offer.offer_id + '"]');
      var tr = el("tr", { "data-offer-id": String(offer.offer_id) });
      tr.appendChild(el("td", { "class": "num compare-rank", "data-label": "Rank" }, String(offer.rank)));
      var cell = el("td", { "class": "compare-offer" });
      var company = el("a", { "class": "compare-company" }, offer.company);
      var oldLink = old && old.querySelector("a.compare-company");
      if (oldLink) company.setAttribute("href", oldLink.getAttribute("href"));
      cell.appendChild(company);
      cell.appendChild(el("span", { "class": "compare-role" }, offer.role));
      cell.appendChild(el("span", { "class": "muted compare-meta" },
        "revision " + offer.revision + " \u00b7 " + offer.status));
      if (offer.missing.length) {
        cell.appendChild(el("span", { "class": "compare-missing" },
          "Missing: " + offer.missing.map(function (n) { return labels[n]; }).join(", ")));
      }
      offer.warnings.forEach(function (w) {
        cell.appendChild(el("span", { "class": "compare-warning" }, "Warning: " + w));
      });
      tr.appendChild(cell);
      var score = fixed(offer.score, 1);
      tr.appendChild(el("td", { "class": "num compare-score", "data-label": "Score" }, score));
      tr.appendChild(el("td", { "class": "num compare-annual", "data-label": "Annual comp (" + doc.currency + ")" }, money(offer.annual_comp)));
      tr.appendChild(el("td", { "class": "num compare-first", "data-label": "First-year comp (" + doc.currency + ")" }, money(offer.first_year_comp)));
      var barCell = el("td", { "class": "compare-bar-col" });
      var caption = offer.company + ": score " + score + " of 100";
      var svg = svgEl("svg", { "class": "compare-bar", viewBox: "0 0 100 10", preserveAspectRatio: "none", role: "img", "aria-label": caption });
      var title = svgEl("title");
      title.textContent = caption;
      svg.appendChild(title);
      svg.appendChild(svgEl("rect", { "class": "compare-bar-track", x: "0", y: "0", width: "100", height: "10" }));
      var x = 0;
      doc.factors.forEach(function (f) {
        var part = offer.factors[f.name];
        if (!part || part.contribution <= 0) return;
        var rect = svgEl("rect", { x: String(x), y: "0", width: String(part.contribution), height: "10", fill: colors[f.name] || "#999" });
        var t = svgEl("title");
        t.textContent = f.label + ": " + fixed(part.contribution, 1) + " points (weight " +
          weightText(part.weight) + ", scored " + fixed(part.normalized, 2) + ")";
        rect.appendChild(t);
        svg.appendChild(rect);
        x += part.contribution;
      });
      barCell.appendChild(svg);
      tr.appendChild(barCell);
      return tr;
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

    function renderCallouts(doc, labels) {
      var close = root.querySelector(".callout-close");
      var flips = root.querySelector(".callout-flips");
      var steady = root.querySelector(".callout-steady");
      var offers = doc.offers;
      if (doc.close_call) {
        close.textContent = "Close call: " + offers[0].company + " (" + fixed(offers[0].score, 1) +
          ") and " + offers[1].company + " (" + fixed(offers[1].score, 1) + ") are less than 2 points apart.";
      }
      close.hidden = !doc.close_call;
      if (doc.flips.length) {
        var names = doc.flips.map(function (n) { return labels[n]; });
        var joined = names.length === 1 ? names[0] :
          names.slice(0, -1).join(", ") + " or " + names[names.length - 1];
        flips.textContent = "The top offer changes if you move the weight of " + joined + " by 20%.";
      }
      flips.hidden = !doc.flips.length;
      steady.hidden = !(offers.length >= 2 && !doc.flips.length);
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
