// A stand-in for Shopify's Web Pixels API, as a custom pixel sees it: the globals analytics, browser,
// init and customerPrivacy. Tests drive it with publish() and giveConsent(), and read what the pixel did
// from collected (each fetch with its answer), pintrkCalls and pageErrors. window.__init, set by the
// test before the page loads, is the init object Shopify would hand the pixel.
(function () {
  var subscribers = {};
  var consentSubscribers = [];
  window.collected = [];
  window.pintrkCalls = [];
  window.pageErrors = [];
  window.addEventListener('error', function (e) { window.pageErrors.push(String(e.message)); });
  window.addEventListener('unhandledrejection', function (e) { window.pageErrors.push('unhandled rejection: ' + String(e.reason)); });

  // The Tag's global, recording each call; the pixel must use it rather than load its own.
  window.pintrk = function () { window.pintrkCalls.push(Array.prototype.slice.call(arguments)); };

  var realFetch = window.fetch.bind(window);
  window.fetch = function (url, options) {
    var entry = {
      url: String(url),
      method: options && options.method,
      keepalive: !!(options && options.keepalive),
      contentType: options && options.headers && options.headers['Content-Type'],
      body: options && options.body,
      status: null
    };
    window.collected.push(entry);
    return realFetch(url, options).then(
      function (response) { entry.status = response.status; return response; },
      function (error) { entry.status = 'failed: ' + error; throw error; });
  };

  function readCookie(name) {
    var found = document.cookie.split('; ').filter(function (c) { return c.indexOf(name + '=') === 0; })[0];
    return found ? found.slice(name.length + 1) : '';
  }

  window.analytics = {
    subscribe: function (name, callback) { (subscribers[name] = subscribers[name] || []).push(callback); }
  };
  window.customerPrivacy = {
    subscribe: function (name, callback) { if (name === 'visitorConsentCollected') consentSubscribers.push(callback); }
  };
  window.browser = {
    cookie: {
      get: function (name) { return Promise.resolve(readCookie(name)); },
      set: function (text) { document.cookie = text; return Promise.resolve(); }
    },
    localStorage: {
      getItem: function (key) { return Promise.resolve(window.localStorage.getItem(key)); },
      setItem: function (key, value) { window.localStorage.setItem(key, value); return Promise.resolve(); },
      removeItem: function (key) { window.localStorage.removeItem(key); return Promise.resolve(); }
    }
  };
  window.init = window.__init;

  // Shopify reports a submitted form as the DOM event form_submitted with every field's value
  // (Web Pixels API, "DOM events"); the page itself stays put so the test can read what was posted.
  var domSeq = 0;
  document.addEventListener('submit', function (e) {
    var form = e.target;
    e.preventDefault();
    window.publish('form_submitted', {
      id: 'sh-dom-' + (++domSeq), name: 'form_submitted', type: 'dom', seq: domSeq, timestamp: new Date().toISOString(),
      clientId: window.__clientId || 'client-of-this-browser',
      context: { document: { location: { href: location.href, pathname: location.pathname, search: location.search } } },
      data: { element: { id: form.id || null, action: form.getAttribute('action'), elements: Array.prototype.map.call(form.elements, function (el) {
        return { id: el.id || null, name: el.name || null, tagName: el.tagName, type: el.type || null, value: el.value };
      }) } }
    });
  }, true);

  window.publish = function (name, event) {
    (subscribers[name] || []).forEach(function (callback) { callback(event); });
  };
  window.giveConsent = function (customerPrivacy) {
    consentSubscribers.forEach(function (callback) { callback({ customerPrivacy: customerPrivacy }); });
  };
  window.subscribedEvents = function () { return Object.keys(subscribers).sort(); };
})();
