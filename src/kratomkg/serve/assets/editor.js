/* kratomkg query editor: YASGUI configured to query this server only.
 *
 * The configuration comes from the page (a JSON block, so the Content-Security-Policy can
 * forbid inline scripts). Everything YASGUI could fetch from another host is off:
 * prefix.cc (prefixCcApi stays null: the bundled prefix list is used), the class and
 * property completions from Linked Open Vocabularies (only the local completers are
 * enabled), and the endpoint catalogue (it offers this server's endpoint alone).
 */
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var block = document.getElementById("editor-config");
  if (!holder || !block || typeof Yasgui === "undefined") {
    return; /* the page's plain form (noscript) and example links still work */
  }
  var config = JSON.parse(block.textContent);
  /* Relative to this page, resolved here because YASGUI parses the endpoint as a URL. */
  var endpoint = new URL(config.endpoint, document.baseURI).href;
  var yasgui = new Yasgui(holder, {
    /* One page, one endpoint: no tabs or endpoints remembered from an older server. */
    persistenceId: null,
    autofocus: false,
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
      keys: [],
    },
    yasqe: {
      value: config.query,
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: null,
      resizeable: true,
      editorHeight: "22rem",
    },
    yasr: {
      prefixes: config.prefixes,
      pluginOrder: ["table", "response"],
      defaultPlugin: "table",
    },
  });
  window.kratomkgEditor = yasgui;

  var links = document.querySelectorAll("a[data-example]");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      var example = config.examples[link.getAttribute("data-example")];
      if (!example) {
        return;
      }
      event.preventDefault();
      yasgui.addTab(true, {
        name: example.title,
        yasqe: { value: example.query },
        requestConfig: { endpoint: endpoint },
      });
      holder.scrollIntoView({ block: "start" });
    });
  });
})();
