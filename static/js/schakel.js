/* Schakel – progressive enhancement only: every page must keep working without it.
   CSP-safe: no eval, no inline handlers, no network access. */
(function () {
  'use strict';

  var DRAFT_PREFIX = 'schakel-draft:', LOCK_MS = 5000;
  var SKIP_TYPES = ['password', 'hidden', 'file', 'submit', 'button', 'reset', 'image'];

  // Error summary: move focus there so screen-reader users hear what went wrong first.
  var summary = document.querySelector('[data-autofocus]');
  if (summary) summary.focus();

  // sessionStorage throws in some private modes and when full; drafts are a nicety, never an error.
  function storage(action, key, value) {
    try { return window.sessionStorage[action + 'Item'](key, value); } catch (e) { return null; }
  }

  function isChoice(el) { return el.type === 'checkbox' || el.type === 'radio'; }

  // Stable key per field; checkboxes/radios share a name, so their value is part of the key.
  function draftFields(form) {
    var seen = {};
    return Array.from(form.elements).filter(function (el) {
      return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && SKIP_TYPES.indexOf(el.type) === -1 &&
        !el.hasAttribute('data-no-draft') && (el.name || el.id);
    }).map(function (el) {
      var id = (el.name || el.id) + (isChoice(el) ? '=' + el.value : '');
      seen[id] = (seen[id] || 0) + 1;
      return { el: el, key: seen[id] > 1 ? id + '#' + seen[id] : id };
    });
  }

  function read(el) {
    return isChoice(el) ? el.checked : el.tagName === 'SELECT' ? Array.from(el.selectedOptions).map((o) => o.value) : el.value;
  }

  // "Pristine" = still as the server rendered it (not typed in, not restored by the browser).
  function pristine(el) {
    if (isChoice(el)) return el.checked === el.defaultChecked;
    if (el.tagName !== 'SELECT') return el.value === el.defaultValue;
    var opts = Array.from(el.options);
    if (el.multiple) return opts.every((o) => o.selected === o.defaultSelected);
    var dflt = opts.filter((o) => o.defaultSelected).pop() || opts.filter((o) => !o.disabled)[0];
    return !dflt || dflt.selected;
  }

  function write(el, v) {
    if (isChoice(el)) el.checked = v === true;
    else if (el.tagName !== 'SELECT') { if (typeof v === 'string') el.value = v; }
    else if (Array.isArray(v)) Array.from(el.options).forEach(function (o) { o.selected = v.indexOf(o.value) !== -1; });
  }

  // Only changed fields are stored, so a draft never overwrites server data the user did not touch.
  function saveDraft(form, key) {
    var data = {}, dirty = false;
    draftFields(form).forEach(function (f) {
      if (!pristine(f.el)) { data[f.key] = read(f.el); dirty = true; }
    });
    storage(dirty ? 'set' : 'remove', key, JSON.stringify(data));
  }

  function restoreDraft(form, key) {
    var data, restored = false, text = form.getAttribute('data-draft-restored');
    try { data = JSON.parse(storage('get', key) || 'null'); } catch (e) { return; }
    if (!data || typeof data !== 'object') return;
    draftFields(form).forEach(function (f) {
      if (!Object.prototype.hasOwnProperty.call(data, f.key) || !pristine(f.el)) return;
      var before = JSON.stringify(read(f.el));
      write(f.el, data[f.key]);
      if (JSON.stringify(read(f.el)) !== before) restored = true;
    });
    if (!restored || !text) return;
    var note = form.insertBefore(document.createElement('p'), form.firstChild);
    note.className = 'flash flash--info';
    note.setAttribute('role', 'status');
    // Filled after insertion: live regions are announced when their content changes.
    setTimeout(function () { note.textContent = text; }, 100);
  }

  Array.from(document.querySelectorAll('form[data-draft]')).forEach(function (form) {
    var key = DRAFT_PREFIX + form.getAttribute('data-draft'), timer = null;
    function flush() {
      clearTimeout(timer); timer = null;
      // Typing while a submission is under way must not leave a draft behind.
      if (!form.hasAttribute('data-submitting')) saveDraft(form, key);
    }
    function schedule() { clearTimeout(timer); timer = setTimeout(flush, 300); }
    restoreDraft(form, key);
    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
    // Leaving the page inside the debounce window must not lose the last keystrokes.
    window.addEventListener('pagehide', function () { if (timer) flush(); });
    form.addEventListener('submit', function (e) {
      if (!e.defaultPrevented) { clearTimeout(timer); timer = null; storage('remove', key); }
    });
  });

  // Destructive actions: ask first. Enter-key submission clicks the default button, so it is covered too.
  document.addEventListener('click', function (e) {
    var btn = e.target.closest ? e.target.closest('[data-confirm]') : null;
    if (btn && (btn.type === 'submit' || btn.type === 'image') && !window.confirm(btn.dataset.confirm)) e.preventDefault();
  });

  // Double-submit protection. Only buttons we disabled are re-enabled (data-locked).
  var unlockTimers = new WeakMap();
  function lock(form, on) {
    if (!on) form.removeAttribute('data-submitting');
    Array.from(form.elements).concat(Array.from(form.querySelectorAll('input[type="image"]'))).forEach(function (b) {
      if (b.type !== 'submit' && b.type !== 'image') return;
      if (on === b.disabled || (!on && !b.hasAttribute('data-locked'))) return;
      b.disabled = on;
      b.toggleAttribute('data-locked', on);
      b.setAttribute('autocomplete', 'off'); // stops Firefox persisting "disabled" across reloads
    });
  }
  // Capture phase: a repeat submit is cancelled before any form-level handler (e.g. draft removal) sees it.
  document.addEventListener('submit', function (e) {
    if (e.target.hasAttribute('data-submitting')) e.preventDefault();
  }, true);
  // Bubble phase: only lock forms whose submission actually goes ahead.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented) return;
    form.setAttribute('data-submitting', '');
    // Disabling right now would drop the clicked button's name/value (and formaction) from this submission.
    setTimeout(function () { lock(form, true); }, 0);
    clearTimeout(unlockTimers.get(form));
    unlockTimers.set(form, setTimeout(function () { lock(form, false); }, LOCK_MS));
  });
  // Figures: show only the fields of the period kind chosen. Without this the page shows them
  // after the button is pressed.
  var periodKind = document.querySelector('[data-period-kind]');
  function syncPeriodFields() {
    var custom = periodKind.value === 'custom';
    Array.from(document.querySelectorAll('[data-period-fields]')).forEach(function (group) {
      group.hidden = (group.getAttribute('data-period-fields') === 'custom') !== custom;
    });
  }
  if (periodKind) {
    // The browser may restore another choice than the page was drawn for (back, reload).
    syncPeriodFields();
    periodKind.addEventListener('change', syncPeriodFields);
  }

  // The menu folds away on a phone only. Browsers that cannot keep a closed disclosure's content
  // visible by CSS (no ::details-content) get it opened here on wider screens.
  var menu = document.querySelector('[data-nav-menu]');
  var wide = window.matchMedia('(min-width: 37.5625rem)');
  function syncMenu() { if (menu) menu.open = wide.matches; }
  syncMenu();
  wide.addEventListener('change', syncMenu);

  // Tables wider than their column scroll sideways: say so above them, and let the keyboard reach
  // the region (a named, focusable region scrolls with the arrow keys).
  var scrollHint = document.body.getAttribute('data-scroll-hint');
  var tableWraps = Array.from(document.querySelectorAll('.table-wrap'));
  function markScrollingTables() {
    tableWraps.forEach(function (wrap, i) {
      var before = wrap.previousElementSibling;
      var note = before && before.classList.contains('table-hint') ? before : null;
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !note) {
        note = document.createElement('p');
        note.className = 'table-hint';
        note.id = 'table-hint-' + i;
        note.textContent = scrollHint;
        wrap.parentNode.insertBefore(note, wrap);
        var caption = wrap.querySelector('caption');
        wrap.setAttribute('role', 'region');
        wrap.setAttribute('aria-label', caption && caption.textContent.trim() ? caption.textContent.trim() : scrollHint);
        wrap.setAttribute('aria-describedby', note.id);
        wrap.tabIndex = 0;
      } else if (!scrolls && note) {
        note.remove();
        ['role', 'aria-label', 'aria-describedby', 'tabindex'].forEach(function (name) { wrap.removeAttribute(name); });
      }
    });
  }
  markScrollingTables();
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollingTables, 150);
  });

  // Back/forward cache restores the page still locked: unlock straight away.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) Array.from(document.querySelectorAll('form[data-submitting]')).forEach(function (form) { lock(form, false); });
  });
})();
