// The form renderer shared by the Call Tool and elicitation webviews (media/callTool.js, media/elicitation.js): turns
// the form model of src/common/schemaForm.ts into widgets that collect a value and show errors at their JSON Pointer.
// Every server string goes into the DOM through textContent or an attribute value: no HTML parsing, no markdown.
// Loaded before the page's own script; exposes window.McpSchemaForm = { h, showText, debounce, createRenderer }.
// @ts-check
(function () {
  'use strict';

  // ---- tiny DOM helpers ----------------------------------------------------------------------------------------
  /**
   * @param {string} tag
   * @param {{[k: string]: string | boolean | undefined}} [attrs]
   * @param {(Node | string | undefined)[]} [children]
   */
  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k === 'class') el.className = String(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children || []) if (c !== undefined) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return el;
  }
  /** Shows `message` in `el` (textContent), or hides `el` when there is none. */
  function showText(/** @type {HTMLElement} */ el, /** @type {string | undefined} */ message) {
    el.textContent = message || '';
    el.hidden = !message;
  }
  /** `fn`, run once `ms` after the last of a burst of calls (validation while typing). */
  function debounce(/** @type {() => void} */ fn, ms = 150) {
    /** @type {ReturnType<typeof setTimeout> | undefined} */ let timer;
    return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  const pointer = (/** @type {string} */ path, /** @type {string|number} */ seg) => `${path}/${String(seg).replace(/~/g, '~0').replace(/\//g, '~1')}`;

  /**
   * One form's widgets. `onChange` runs on every edit (the page validates then); `emptyText` shows for a form without fields.
   * @param {{ onChange: () => void, emptyText?: string }} options
   */
  function createRenderer({ onChange, emptyText = 'This tool takes no arguments.' }) {
    /** @type {Map<string, HTMLElement>} */ let errorSlots = new Map();
    let idCounter = 0;
    const nextId = () => `f${++idCounter}`;

    // ---- widgets: { el, get(): {present, value, error?}, slots(path) } --------------------------------------------
    /**
     * @param {any} field
     * @param {unknown} initial
     * @param {boolean} [bare] no label (array items)
     */
    function widget(field, initial, bare) {
      switch (field.kind) {
        case 'object': return objectWidget(field, initial, bare);
        case 'array': return field.item.kind === 'enum' ? multiSelectWidget(field, initial, bare) : arrayWidget(field, initial, bare);
        default: return scalarWidget(field, initial, bare);
      }
    }

    function labelRow(/** @type {any} */ field, /** @type {string} */ forId) {
      return h('label', { for: forId, class: 'field-label' }, [
        h('span', { class: 'field-name', text: field.label || field.name }),
        field.required ? h('span', { class: 'required', text: ' *', title: 'required', 'aria-label': 'required' }) : undefined,
        field.kind !== 'object' ? h('span', { class: 'field-type', text: ` ${typeText(field)}` }) : undefined,
      ]);
    }

    function typeText(/** @type {any} */ field) {
      switch (field.kind) {
        case 'enum': return 'choice';
        case 'json': return 'JSON';
        case 'array': return 'list';
        default: return field.kind + (field.format ? ` (${field.format})` : '');
      }
    }

    function describe(/** @type {any} */ field) {
      return field.description ? h('div', { class: 'field-description', text: field.description }) : undefined;
    }

    function scalarWidget(/** @type {any} */ field, /** @type {unknown} */ initial, /** @type {boolean|undefined} */ bare) {
      const id = nextId();
      const err = h('div', { class: 'field-error', role: 'alert', hidden: true });
      /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ let input;
      /** @type {() => {present: boolean, value?: unknown, error?: string}} */ let get;
      const descId = field.description ? `${id}-desc` : undefined;
      switch (field.kind) {
        case 'boolean': {
          if (field.required || field.default !== undefined) {
            const cb = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id, 'aria-describedby': descId }));
            cb.checked = initial === true;
            input = cb;
            get = () => ({ present: true, value: cb.checked });
          } else {
            const sel = /** @type {HTMLSelectElement} */ (h('select', { id, 'aria-describedby': descId }, [
              h('option', { value: '', text: '(not set)' }), h('option', { value: 'true', text: 'true' }), h('option', { value: 'false', text: 'false' }),
            ]));
            sel.value = initial === true ? 'true' : initial === false ? 'false' : '';
            input = sel;
            get = () => (sel.value === '' ? { present: false } : { present: true, value: sel.value === 'true' });
          }
          break;
        }
        case 'enum': {
          const sel = /** @type {HTMLSelectElement} */ (h('select', { id, 'aria-describedby': descId }));
          sel.append(h('option', { value: '', text: field.required ? 'Select…' : '(not set)' }));
          field.options.forEach((/** @type {any} */ o, /** @type {number} */ i) => sel.append(h('option', { value: String(i), text: o.label })));
          const idx = field.options.findIndex((/** @type {any} */ o) => JSON.stringify(o.value) === JSON.stringify(initial));
          sel.value = idx >= 0 ? String(idx) : '';
          input = sel;
          get = () => (sel.value === '' ? { present: false } : { present: true, value: field.options[Number(sel.value)].value });
          break;
        }
        case 'number': case 'integer': {
          const inp = /** @type {HTMLInputElement} */ (h('input', { type: 'text', inputmode: field.kind === 'integer' ? 'numeric' : 'decimal', id, 'aria-describedby': descId, placeholder: field.kind }));
          inp.value = typeof initial === 'number' ? String(initial) : '';
          input = inp;
          get = () => {
            const t = inp.value.trim();
            if (t === '') return { present: false };
            const n = Number(t);
            if (!Number.isFinite(n)) return { present: true, value: t, error: `Not a number.` };
            if (field.kind === 'integer' && !Number.isInteger(n)) return { present: true, value: n, error: 'Must be an integer.' };
            return { present: true, value: n };
          };
          break;
        }
        case 'string': {
          // A secret (`secret`, set by the extension) is typed into a password box: never shown, never autofilled.
          const inp = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (field.secret
            ? h('input', { type: 'password', id, 'aria-describedby': descId, autocomplete: 'off' })
            : field.multiline
              ? h('textarea', { id, rows: '2', 'aria-describedby': descId, spellcheck: 'false' })
              : h('input', { type: 'text', id, 'aria-describedby': descId, spellcheck: 'false' }));
          inp.value = typeof initial === 'string' ? initial : '';
          input = inp;
          // An empty box means "not set" (use the JSON mode to send an empty string).
          get = () => (inp.value === '' ? { present: false } : { present: true, value: inp.value });
          break;
        }
        default: { // 'json': a raw JSON value
          const ta = /** @type {HTMLTextAreaElement} */ (h('textarea', { id, rows: '3', class: 'json', 'aria-describedby': descId, spellcheck: 'false', placeholder: 'JSON value' }));
          ta.value = initial === undefined ? '' : JSON.stringify(initial, null, 2);
          input = ta;
          get = () => {
            if (ta.value.trim() === '') return { present: false };
            try { return { present: true, value: JSON.parse(ta.value) }; } catch (e) { return { present: true, value: ta.value, error: `Not valid JSON: ${String(/** @type {Error} */ (e).message)}` }; }
          };
        }
      }
      input.classList.add('control');
      input.addEventListener('input', onChange);
      input.addEventListener('change', onChange);
      const el = h('div', { class: `field field-${field.kind}` }, [
        bare ? undefined : labelRow(field, id),
        field.kind === 'boolean' && input instanceof HTMLInputElement ? h('div', { class: 'checkbox-row' }, [input]) : input,
        descId ? h('div', { id: descId, class: 'field-description', text: field.description }) : undefined,
        err,
      ]);
      if (bare) input.setAttribute('aria-label', field.label || 'item');
      return {
        el,
        get,
        /** @param {string} path */
        slots(path) { errorSlots.set(path, err); },
        focus() { input.focus(); },
      };
    }

    function objectWidget(/** @type {any} */ field, /** @type {unknown} */ initial, /** @type {boolean|undefined} */ bare) {
      const init = initial && typeof initial === 'object' && !Array.isArray(initial) ? /** @type {Record<string, unknown>} */ (initial) : {};
      const children = field.fields.map((/** @type {any} */ f) => ({ name: f.name, w: widget(f, init[f.name]) }));
      const err = h('div', { class: 'field-error', role: 'alert', hidden: true });
      const isRoot = field.name === '';
      const body = h('div', { class: 'object-fields' }, children.map((/** @type {any} */ c) => c.w.el));
      if (!children.length) body.append(h('div', { class: 'muted', text: emptyText }));
      const el = isRoot ? h('div', { class: 'root-fields' }, [err, body]) : h('fieldset', { class: 'field field-object' }, [
        bare ? undefined : h('legend', {}, [h('span', { class: 'field-name', text: field.label || field.name }), field.required ? h('span', { class: 'required', text: ' *' }) : undefined]),
        describe(field), err, body,
      ]);
      return {
        el,
        get() {
          /** @type {Record<string, unknown>} */ const value = {};
          let error;
          for (const c of children) {
            const r = c.w.get();
            if (r.error && !error) error = `${c.name}: ${r.error}`;
            if (r.present) value[c.name] = r.value;
          }
          const present = isRoot || field.required || Object.keys(value).length > 0;
          return { present, value, error };
        },
        /** @param {string} path */
        slots(path) {
          errorSlots.set(path, err);
          for (const c of children) c.w.slots(pointer(path, c.name));
        },
        focus() { children[0]?.w.focus(); },
      };
    }

    function arrayWidget(/** @type {any} */ field, /** @type {unknown} */ initial, /** @type {boolean|undefined} */ bare) {
      const err = h('div', { class: 'field-error', role: 'alert', hidden: true });
      const list = h('ol', { class: 'array-items' });
      /** @type {{ w: any, li: HTMLElement }[]} */ const items = [];
      const addBtn = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary add-item', text: 'Add item' }));
      const add = (/** @type {unknown} */ value) => {
        const w = widget(field.item, value, true);
        const remove = h('button', { type: 'button', class: 'icon-button remove-item', title: 'Remove item', 'aria-label': 'Remove item', text: '✕' });
        const li = h('li', { class: 'array-item' }, [w.el, remove]);
        const entry = { w, li };
        remove.addEventListener('click', () => {
          items.splice(items.indexOf(entry), 1);
          li.remove();
          onChange();
        });
        items.push(entry);
        list.append(li);
        return w;
      };
      if (Array.isArray(initial)) initial.forEach((v) => add(v));
      addBtn.addEventListener('click', () => { add(field.item.default).focus(); onChange(); });
      const el = h('fieldset', { class: 'field field-array' }, [
        bare ? undefined : h('legend', {}, [h('span', { class: 'field-name', text: field.label || field.name }), field.required ? h('span', { class: 'required', text: ' *' }) : undefined, h('span', { class: 'field-type', text: ' list' })]),
        describe(field), err, list, addBtn,
      ]);
      return {
        el,
        get() {
          const value = [];
          let error;
          for (const [i, it] of items.entries()) {
            const r = it.w.get();
            if (r.error && !error) error = `item ${i + 1}: ${r.error}`;
            value.push(r.present ? r.value : null);
          }
          return { present: field.required || items.length > 0, value, error };
        },
        /** @param {string} path */
        slots(path) {
          errorSlots.set(path, err);
          items.forEach((it, i) => it.w.slots(pointer(path, i)));
        },
        focus() { addBtn.focus(); },
      };
    }

    /** An array of enum items: one checkbox per choice. */
    function multiSelectWidget(/** @type {any} */ field, /** @type {unknown} */ initial, /** @type {boolean|undefined} */ bare) {
      const err = h('div', { class: 'field-error', role: 'alert', hidden: true });
      const chosen = Array.isArray(initial) ? initial.map((v) => JSON.stringify(v)) : [];
      const boxes = field.item.options.map((/** @type {any} */ o) => {
        const cb = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: nextId() }));
        cb.checked = chosen.includes(JSON.stringify(o.value));
        cb.addEventListener('change', onChange);
        return { cb, value: o.value, row: h('label', { class: 'choice', for: cb.id }, [cb, h('span', { text: o.label })]) };
      });
      const el = h('fieldset', { class: 'field field-multiselect' }, [
        bare ? undefined : h('legend', {}, [h('span', { class: 'field-name', text: field.label || field.name }), field.required ? h('span', { class: 'required', text: ' *' }) : undefined, h('span', { class: 'field-type', text: ' choices' })]),
        describe(field), err, h('div', { class: 'choices' }, boxes.map((/** @type {any} */ b) => b.row)),
      ]);
      return {
        el,
        get() {
          const value = boxes.filter((/** @type {any} */ b) => b.cb.checked).map((/** @type {any} */ b) => b.value);
          return { present: field.required || value.length > 0, value };
        },
        /** @param {string} path */
        slots(path) { errorSlots.set(path, err); },
        focus() { boxes[0]?.cb.focus(); },
      };
    }

    /**
     * Shows the extension's validation errors next to their fields (none when `root` is undefined, e.g. in raw-JSON
     * mode); returns the texts of those that have no field to go to.
     * @param {any} root @param {{path: string, message: string}[]} errors
     */
    function placeErrors(root, errors) {
      errorSlots = new Map();
      if (root) root.slots('');
      for (const slot of errorSlots.values()) { slot.textContent = ''; slot.hidden = true; }
      const unplaced = [];
      for (const e of errors) {
        const slot = errorSlots.get(e.path);
        if (slot) { slot.textContent = slot.textContent ? `${slot.textContent} ${e.message}` : e.message; slot.hidden = false; }
        else unplaced.push(`${e.path ? `${e.path.slice(1).replace(/\//g, '.')}: ` : ''}${e.message}`);
      }
      return unplaced;
    }

    return { widget, placeErrors };
  }

  /** @type {any} */ (window).McpSchemaForm = { h, showText, debounce, createRenderer };
})();
