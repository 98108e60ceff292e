// Posts the page's form as JSON and shows the outcome. Shared by /verify/confirm and /password/reset.
(function () {
  var form = document.getElementById('form');
  var outcome = document.getElementById('outcome');
  if (!form) return;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var button = form.querySelector('button');
    var body = { token: document.getElementById('token').value };
    var password = document.getElementById('new_password');
    if (password) body.new_password = password.value;
    button.disabled = true;
    outcome.textContent = '';
    fetch(form.getAttribute('data-action'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        outcome.className = result.ok ? 'ok' : 'error';
        outcome.textContent = result.ok
          ? form.getAttribute('data-done')
          : result.data.detail || 'Something went wrong';
        if (result.ok) {
          form.hidden = true;
        } else {
          button.disabled = false;
        }
      })
      .catch(function () {
        outcome.className = 'error';
        outcome.textContent = 'The service could not be reached; try again.';
        button.disabled = false;
      });
  });
})();
