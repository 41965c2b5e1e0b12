// careguide search: runs in the browser over search/index.js, built with the site.
// No requests leave the page; results are built with DOM calls, never from HTML strings.
(function () {
  'use strict';
  var data = self.careguideSearch;
  var form = document.querySelector('form.search-page');
  var input = document.getElementById('search-q');
  var select = document.getElementById('search-audience');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-list');
  if (!form || !input || !status || !list) return;
  // The page's words in its language (see i18n [search]); English where the page gives none.
  var W = self.careguideWords || {};
  function say(k, d) { return typeof W[k] === 'string' ? W[k] : d; }
  function fill(s, vals) {
    return s.replace(/\{(\w+)\}/g, function (m, k) { return k in vals ? String(vals[k]) : m; });
  }
  if (!data || !data.p) {
    status.textContent = say('no_index', 'The search index could not be loaded. Try building the site again.');
    return;
  }
  var MAX = 30;
  var root = '../';

  function fold(s) {
    s = s.toLowerCase();
    return s.normalize ? s.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : s;
  }
  function words(s) {
    return fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function anchorOf(a, headingId) {
    if (typeof a === 'number') return a > 0 ? 'cite-' + a : a < 0 ? 'cite-s' + -a : headingId;
    return a || headingId;
  }
  // The numbering audience `ai` reads.
  function variantFor(en, ai) {
    for (var i = 0; i < en.vars.length; i++) if (ai >= 0 && en.vars[i].mask & (1 << ai)) return en.vars[i];
    return en.vars[0];
  }

  // Entries flattened once, with their folded words.
  var entries = [];
  data.p.forEach(function (page, pi) {
    var titleWords = words(page.t);
    page.e.forEach(function (e) {
      var h = page.h[e[1]] || ['', ''];
      // (mask, citations, anchor) per citation numbering; see src/render/search.rs.
      var vars = [], mask = 0;
      for (var i = 2; i < e.length; i += 3) {
        vars.push({ mask: e[i] || 0, cites: e[i + 1] || [], anchor: anchorOf(e[i + 2], h[1]) });
        mask |= e[i] || 0;
      }
      entries.push({
        page: pi, text: e[0], heading: h[0], mask: mask, vars: vars,
        tw: words(e[0]), hw: words(h[0]), pw: titleWords, folded: fold(e[0])
      });
    });
  });

  function score(en, terms, phrase) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i], best = 0;
      for (var j = 0; j < en.tw.length && best < 3; j++) {
        if (en.tw[j] === t) best = 3; else if (en.tw[j].indexOf(t) === 0) best = Math.max(best, 2);
      }
      if (!best && en.hw.some(function (w) { return w.indexOf(t) === 0; })) best = 1;
      if (!best && en.pw.some(function (w) { return w.indexOf(t) === 0; })) best = 1;
      if (!best) return 0;
      total += best;
    }
    if (terms.length > 1 && en.folded.indexOf(phrase) >= 0) total += 5;
    return total;
  }

  function audienceFor(en) {
    var want = select && select.value;
    var ids = data.a.map(function (a) { return a[0]; });
    if (want) return ids.indexOf(want);
    if (en.mask & (1 << data.d)) return data.d;
    for (var i = 0; i < ids.length; i++) if (en.mask & (1 << i)) return i;
    return -1;
  }

  function pageUrl(page, ai) {
    // A file, not a folder: opened from disk (file://) a folder shows as a listing.
    return root + page.u + '/' + (ai >= 0 ? data.a[ai][0] + '/' : '') + 'index.html';
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }

  // The text with each word that starts with a query term marked.
  function highlight(parent, text, terms) {
    var re = /[\p{L}\p{N}]+/gu, last = 0, m;
    while ((m = re.exec(text))) {
      var w = fold(m[0]);
      if (terms.some(function (t) { return w.indexOf(t) === 0; })) {
        parent.appendChild(document.createTextNode(text.slice(last, m.index)));
        parent.appendChild(el('mark', '', m[0]));
        last = m.index + m[0].length;
      }
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function render(query) {
    list.textContent = '';
    var terms = words(query);
    if (!terms.length) {
      status.textContent = say('type_word', 'Type a word, such as a medicine or a symptom, to search every page.');
      return;
    }
    var want = select && select.value;
    var wantBit = want ? 1 << data.a.map(function (a) { return a[0]; }).indexOf(want) : 0;
    var phrase = terms.join(' ');
    var hits = [];
    entries.forEach(function (en, i) {
      if (wantBit && !(en.mask & wantBit)) return;
      var s = score(en, terms, phrase);
      if (s) hits.push({ en: en, s: s, i: i });
    });
    hits.sort(function (a, b) { return b.s - a.s || a.i - b.i; });
    var n = hits.length;
    var vals = { query: query, max: MAX, n: n };
    status.textContent = n === 0 ? fill(say('no_results', 'No results for “{query}”.'), vals)
      : (n > MAX ? fill(say('showing_best', 'Showing the best {max} of {n}'), vals) : n) + ' ' +
        (n === 1 ? say('result_one', 'result') : say('result_other', 'results')) + ' ' +
        fill(say('results_for', 'for “{query}”.'), vals);
    hits.slice(0, MAX).forEach(function (h) {
      var en = h.en, page = data.p[en.page], ai = audienceFor(en), v = variantFor(en, ai);
      var url = pageUrl(page, ai);
      var li = el('li', 'search-hit');
      var title = el('h2', 'search-hit-title');
      var a = el('a', '', page.t);
      a.href = url + (v.anchor ? '#' + v.anchor : '');
      title.appendChild(a);
      li.appendChild(title);
      var ctx = el('p', 'search-context');
      if (en.heading) ctx.appendChild(el('span', '', en.heading + ' · '));
      ctx.appendChild(el('span', 'badge badge-' + page.k, say('review_status', 'Review status:') + ' ' + page.s));
      li.appendChild(ctx);
      var p = el('p', 'search-text');
      highlight(p, en.text, terms);
      if (v.cites.length) {
        var sup = el('sup', 'cite');
        v.cites.forEach(function (c, k) {
          if (k) sup.appendChild(document.createTextNode(','));
          var r = el('a', '', String(c));
          r.href = url + '#ref-' + c;
          r.setAttribute('aria-label', say('reference', 'reference') + ' ' + c);
          sup.appendChild(r);
        });
        p.appendChild(sup);
      }
      li.appendChild(p);
      var others = [];
      data.a.forEach(function (aud, k) { if (en.mask & (1 << k)) others.push(k); });
      if (others.length > 1 || (others.length === 1 && others[0] !== data.d)) {
        var fp = el('p', 'search-for', say('written_for_colon', 'Written for: '));
        others.forEach(function (k, j) {
          if (j) fp.appendChild(document.createTextNode(', '));
          var o = el('a', '', data.a[k][1]);
          var ov = variantFor(en, k);
          o.href = pageUrl(page, k) + (ov.anchor ? '#' + ov.anchor : '');
          if (k === ai) o.setAttribute('aria-current', 'true');
          fp.appendChild(o);
        });
        li.appendChild(fp);
      }
      list.appendChild(li);
    });
  }

  function fromLocation() {
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    if (select && params.get('for')) select.value = params.get('for');
  }

  function update() {
    var params = new URLSearchParams();
    if (input.value) params.set('q', input.value);
    if (select && select.value) params.set('for', select.value);
    var qs = params.toString();
    try { history.replaceState(null, '', qs ? '?' + qs : location.pathname); } catch (e) { /* file:// */ }
    render(input.value);
  }

  var timer = 0;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  if (select) select.addEventListener('change', update);
  form.addEventListener('submit', function (ev) { ev.preventDefault(); update(); });
  fromLocation();
  render(input.value);
})();
