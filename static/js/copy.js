/* Copy buttons for one-time links: progressive enhancement only. Without it the link stands
   in full in a read-only field, to select and copy by hand. CSP-safe: no inline code. */
(function () {
  'use strict';

  Array.from(document.querySelectorAll('[data-copy-actions]')).forEach(function (actions) {
    var button = actions.querySelector('[data-copy]');
    var status = actions.querySelector('[data-copy-status]');
    var field = document.getElementById(button.getAttribute('data-copy'));
    if (!field) return;
    actions.hidden = false;
    button.addEventListener('click', function () {
      field.focus();
      field.select();
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(field.value)
        : new Promise(function (resolve, reject) {
          // Outside a secure context (plain http on an intranet) only the older command works.
          if (document.execCommand('copy')) resolve(); else reject(new Error('copy refused'));
        });
      copied.then(function () {
        status.textContent = status.getAttribute('data-copied-text');
      }, function () {
        status.textContent = '';
      });
    });
  });
})();
