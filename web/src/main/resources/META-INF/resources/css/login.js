// Login page helpers; served from /css so it is reachable before sign-in.
(function () {
  var q = window.location.search;
  if (q.indexOf('error') >= 0) document.getElementById('login-error').hidden = false;
  if (q.indexOf('logout') >= 0) document.getElementById('login-out').hidden = false;
  // the form posts the CSRF token from the XSRF-TOKEN cookie
  var m = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]+)/);
  var input = document.createElement('input');
  input.type = 'hidden';
  input.name = '_csrf';
  input.value = m ? decodeURIComponent(m[1]) : '';
  document.querySelector('form').appendChild(input);
})();
