// The accessibility check of one page, run in the browser by builders.accessibility_problems.
// Returns a list of problems, each one line naming the element and what is wrong:
//   - <html> has a non-empty lang;
//   - exactly one main landmark (a <main> or role="main");
//   - every form control other than hidden fields and buttons has an accessible
//     name: a <label for>, a wrapping <label>, aria-label or aria-labelledby;
//   - every id named by aria-describedby or aria-labelledby exists;
//   - every rendered text has a contrast of at least 4.5:1 with what is behind it
//     (3:1 for large text: 24px, or 18.66px bold), the colours composed with every
//     background and opacity on the way up to the page's white canvas.
() => {
  const problems = [];

  function describe(el) {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 3; node = node.parentElement) {
      let part = node.localName;
      if (node.id) { parts.unshift(part + "#" + node.id); break; }
      const classes = Array.from(node.classList).slice(0, 2);
      if (classes.length) part += "." + classes.join(".");
      const name = node.getAttribute("name");
      if (name) part += '[name="' + name + '"]';
      parts.unshift(part);
    }
    return parts.join(" > ");
  }

  // --- lang and main ---
  if (!(document.documentElement.getAttribute("lang") || "").trim()) {
    problems.push("lang: <html> has no lang");
  }
  const mains = document.querySelectorAll('main, [role="main"]');
  if (mains.length !== 1) {
    problems.push("main: " + mains.length + " main landmarks, not 1");
  }

  // --- names of form controls ---
  const text = (node) => (node ? node.textContent.trim() : "");
  const idsExist = (value) => value.trim().split(/\s+/).filter((id) => !document.getElementById(id));
  document.querySelectorAll("input, select, textarea").forEach((control) => {
    const type = (control.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type)) return;
    const labelled = control.getAttribute("aria-labelledby");
    const named =
      Array.from(control.labels || []).some((label) => text(label)) ||
      (control.getAttribute("aria-label") || "").trim() ||
      (labelled && labelled.trim().split(/\s+/).some((id) => text(document.getElementById(id))));
    if (!named) problems.push("label: " + describe(control) + " has no accessible name");
  });
  document.querySelectorAll("[aria-describedby], [aria-labelledby]").forEach((el) => {
    ["aria-describedby", "aria-labelledby"].forEach((attr) => {
      const value = el.getAttribute(attr);
      if (value === null) return;
      const missing = idsExist(value);
      if (missing.length || !value.trim()) {
        problems.push(attr + ": " + describe(el) + " points at missing id(s) " + JSON.stringify(missing));
      }
    });
  });

  // --- contrast ---
  function parse(color) {
    const m = /rgba?\(([^)]+)\)/.exec(color || "");
    if (!m) return null;
    const v = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
  }
  const over = (top, below) => ({
    r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a),
    a: 1,
  });
  const mix = (below, above, amount) => over({ ...above, a: amount }, below);
  function luminance(c) {
    const channel = (x) => {
      const s = x / 255;
      return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  }
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (c) => "#" + [c.r, c.g, c.b].map((x) => Math.round(x).toString(16).padStart(2, "0")).join("");

  // Drawn but not seen: clipped to a pixel for screen readers only.
  function offscreen(el) {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.visibility === "hidden" || style.opacity === "0") return true;
      if (style.position === "absolute" && style.clip && style.clip !== "auto") return true;
      const box = node.getBoundingClientRect();
      if (style.overflow === "hidden" && (box.width <= 1 || box.height <= 1)) return true;
    }
    return false;
  }

  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const words = node.textContent.trim();
    const el = node.parentElement;
    if (!words || !el || seen.has(el)) continue;
    if (el.closest("script, style, noscript, template, select, title, desc")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (!range.getClientRects().length || offscreen(el)) continue;
    // Not drawn: inside a closed <details>, or hidden by content-visibility.
    if (el.checkVisibility && !el.checkVisibility({ contentVisibilityAuto: true })) continue;
    seen.add(el);
    const chain = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) chain.unshift(n);
    // Backgrounds from the canvas down, then each opacity from the element back up.
    // A gradient is any of its colours: every one is tried, the worst one counts.
    let backs = [{ r: 255, g: 255, b: 255, a: 1 }];
    const backdrops = [];
    chain.forEach((n) => {
      backdrops.push(backs);
      const s = getComputedStyle(n);
      const bg = parse(s.backgroundColor);
      if (bg && bg.a > 0) backs = backs.map((b) => over(bg, b));
      const stops = (s.backgroundImage.match(/rgba?\([^)]+\)/g) || []).map(parse);
      if (stops.length) backs = stops.flatMap((stop) => backs.map((b) => over(stop, b)));
    });
    const style = getComputedStyle(el);
    const inSvg = el instanceof SVGElement;
    const ink = parse(inSvg ? style.fill : style.color);
    if (!ink) continue;
    let pairs = backs.map((b) => ({ fore: over(ink, b), back: b }));
    for (let i = chain.length - 1; i >= 0; i--) {
      const opacity = Number(getComputedStyle(chain[i]).opacity);
      if (opacity < 1) {
        pairs = pairs.flatMap((p) => backdrops[i].map((below) => ({
          fore: mix(below, p.fore, opacity), back: mix(below, p.back, opacity),
        })));
      }
    }
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const needed = large ? 3 : 4.5;
    const worst = pairs.reduce((a, b) => (ratio(a.fore, a.back) <= ratio(b.fore, b.back) ? a : b));
    const [fore, back] = [worst.fore, worst.back];
    const found = ratio(fore, back);
    if (found < needed) {
      problems.push(
        "contrast: " + found.toFixed(2) + ":1 (needs " + needed + ":1) at " + describe(el) +
        ' "' + words.slice(0, 40) + '" (' + hex(fore) + " on " + hex(back) + ")"
      );
    }
  }
  return problems;
}
