// Title suggestions for the search box: an ARIA 1.2 combobox with a listbox, used with the keyboard
// (Down/Up move, Enter opens the chosen title, Escape closes) or the pointer. No inline script (CSP).
(function () {
  "use strict";

  const input = document.querySelector("input[data-autocomplete]");
  const list = document.getElementById("search-suggestions");
  const status = document.querySelector("[data-suggestions-status]");
  if (!input || !list || !status || !input.dataset.autocomplete) {
    return;
  }
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  let results = [];
  let active = -1;
  let timer = null;
  let controller = null;

  function options() {
    return Array.from(list.querySelectorAll("[role=option]"));
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    options().forEach((option) => option.setAttribute("aria-selected", "false"));
    active = -1;
    status.textContent = ""; // a closed list is not announced as still offering suggestions
  }

  function open() {
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", String(results.length > 0));
  }

  function show(found) {
    results = found;
    list.replaceChildren(
      ...found.map((result, index) => {
        const option = document.createElement("li");
        option.id = `search-suggestion-${index}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.url = result.url;
        option.textContent = result.title;
        option.addEventListener("click", () => window.location.assign(result.url));
        return option;
      }),
    );
    // The new options replace the chosen one: nothing is chosen until an arrow key, and the box must not
    // point at an option that is gone (or at another one under the same id).
    active = -1;
    input.removeAttribute("aria-activedescendant");
    open();
    status.textContent = found.length ? status.dataset.countText.replace("{count}", found.length) : "";
  }

  function highlight(index) {
    const items = options();
    if (!items.length) {
      return;
    }
    active = (index + items.length) % items.length;
    items.forEach((item, position) => item.setAttribute("aria-selected", String(position === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  async function suggest() {
    const text = input.value.trim();
    if (controller) {
      controller.abort();
    }
    if (text.length < 2) {
      show([]);
      return;
    }
    controller = new AbortController();
    const url = new URL(input.dataset.autocomplete, window.location.href);
    url.searchParams.set("q", text);
    try {
      const response = await fetch(url, {
        signal: controller.signal,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok && input.value.trim() === text) {
        show((await response.json()).results);
      }
    } catch (error) {
      if (error.name !== "AbortError") {
        show([]);
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!results.length) {
        return;
      }
      event.preventDefault();
      if (list.hidden) {
        open();
      }
      highlight(event.key === "ArrowDown" ? active + 1 : active - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].dataset.url);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  // Keep the focus in the box when a suggestion is pressed, so its click lands before the list closes.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  input.addEventListener("blur", close);
})();
