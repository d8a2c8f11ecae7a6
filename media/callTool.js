// Call Tool webview. Renders the form model the extension sends (src/common/schemaForm.ts), collects arguments,
// and shows results (src/common/toolResults.ts). Every server string goes into the DOM through textContent or an
// attribute value: no HTML parsing, no markdown, no links. Messages: src/common/callToolProtocol.ts.
// @ts-check
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));

  /** @type {any} */ let init;
  /** @type {any} */ let rootWidget;
  let jsonMode = false;
  let running = false;
  /** @type {Map<string, HTMLElement>} */ let errorSlots = new Map();
  /** @type {ReturnType<typeof setTimeout> | undefined} */ let validateTimer;

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
  let idCounter = 0;
  const nextId = () => `f${++idCounter}`;
  const pointer = (/** @type {string} */ path, /** @type {string|number} */ seg) => `${path}/${String(seg).replace(/~/g, '~0').replace(/\//g, '~1')}`;

  // ---- widgets: { el, get(): {present, value, error?}, slots(path) } --------------------------------------------
  /**
   * @param {any} field
   * @param {unknown} initial
   * @param {boolean} [bare] no label (array items)
   */
  function widget(field, initial, bare) {
    switch (field.kind) {
      case 'object': return objectWidget(field, initial, bare);
      case 'array': return arrayWidget(field, initial, bare);
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
        const inp = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (field.multiline
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
    input.addEventListener('input', scheduleValidate);
    input.addEventListener('change', scheduleValidate);
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
    if (!children.length) body.append(h('div', { class: 'muted', text: 'This tool takes no arguments.' }));
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
        scheduleValidate();
      });
      items.push(entry);
      list.append(li);
      return w;
    };
    if (Array.isArray(initial)) initial.forEach((v) => add(v));
    addBtn.addEventListener('click', () => { add(field.item.default).focus(); scheduleValidate(); });
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

  // ---- the page ----------------------------------------------------------------------------------------------------
  const els = {
    form: /** @type {HTMLFormElement} */ (h('form', { class: 'tool-form', novalidate: true })),
    fields: h('div', { class: 'fields' }),
    json: /** @type {HTMLTextAreaElement} */ (h('textarea', { class: 'json raw-json control', rows: '12', spellcheck: 'false', 'aria-label': 'Arguments as JSON', hidden: true })),
    formError: h('div', { class: 'form-error', role: 'alert', hidden: true }),
    formNote: h('div', { class: 'form-note muted', hidden: true }),
    call: /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', id: 'call' })),
    toggle: /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary', id: 'toggle-json', text: 'Edit as JSON' })),
    status: h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }),
    result: h('section', { class: 'result', 'aria-label': 'Result', hidden: true }),
  };

  function render() {
    app.textContent = '';
    errorSlots = new Map();
    const t = init.tool;
    const notes = t.annotations.length ? h('div', { class: 'annotations' }, t.annotations.map((/** @type {string} */ a) => h('span', { class: `badge${a === 'destructive' ? ' danger' : ''}`, text: a }))) : undefined;
    const header = h('header', {}, [
      h('h1', {}, [h('span', { text: t.title || t.name }), t.title && t.title !== t.name ? h('span', { class: 'muted tool-name', text: ` ${t.name}` }) : undefined]),
      h('div', { class: 'muted server', text: `Server: ${init.server}` }),
      notes,
      t.description ? h('p', { class: 'description', text: t.description }) : undefined,
      t.destructive ? h('p', { class: 'warning', text: 'This tool is marked destructive: you will be asked to confirm before it runs.' }) : undefined,
    ]);
    els.call.textContent = 'Call Tool';
    rootWidget = widget(init.form, init.initialArgs);
    els.fields.textContent = '';
    els.fields.append(rootWidget.el);
    els.form.textContent = '';
    els.form.append(els.fields, els.json, els.formError, els.formNote, h('div', { class: 'actions' }, [els.call, els.toggle, els.status]));
    app.append(header, els.form, els.result);
    setJsonMode(false);
    scheduleValidate();
  }

  /** The arguments as the form (or the JSON box) has them, with a local error if they cannot be built. */
  function collect() {
    if (jsonMode) {
      const text = els.json.value.trim() || '{}';
      try {
        const v = JSON.parse(text);
        if (!v || typeof v !== 'object' || Array.isArray(v)) return { args: v, error: 'The arguments must be a JSON object.' };
        return { args: v };
      } catch (e) {
        return { args: undefined, error: `Not valid JSON: ${String(/** @type {Error} */ (e).message)}` };
      }
    }
    const r = rootWidget.get();
    return { args: r.value, error: r.error };
  }

  function setJsonMode(/** @type {boolean} */ on) {
    if (on) {
      els.json.value = JSON.stringify(collect().args ?? {}, null, 2);
    } else if (jsonMode) {
      const { args, error } = collect();
      if (error) { showFormError(error); return; }
      rootWidget = widget(init.form, args);
      els.fields.textContent = '';
      els.fields.append(rootWidget.el);
    }
    jsonMode = on;
    els.json.hidden = !on;
    els.fields.hidden = on;
    els.toggle.textContent = on ? 'Edit as Form' : 'Edit as JSON';
    scheduleValidate();
  }

  function showFormError(/** @type {string | undefined} */ message) {
    els.formError.textContent = message || '';
    els.formError.hidden = !message;
  }

  function scheduleValidate() {
    clearTimeout(validateTimer);
    validateTimer = setTimeout(() => {
      const { args, error } = collect();
      showLocal(error);
      if (!error) vscode.postMessage({ type: 'validate', args });
    }, 150);
  }

  function showLocal(/** @type {string | undefined} */ error) {
    showFormError(error);
    els.call.disabled = running || !!error;
  }

  /** Shows the extension's validation errors next to their fields (or at the top), and its note (which blocks nothing). */
  function showErrors(/** @type {{path: string, message: string}[]} */ errors, /** @type {string | undefined} */ note) {
    els.formNote.textContent = note || '';
    els.formNote.hidden = !note;
    errorSlots = new Map();
    if (!jsonMode) rootWidget.slots('');
    for (const slot of errorSlots.values()) { slot.textContent = ''; slot.hidden = true; }
    const unplaced = [];
    for (const e of errors) {
      const slot = jsonMode ? undefined : errorSlots.get(e.path);
      if (slot) { slot.textContent = slot.textContent ? `${slot.textContent} ${e.message}` : e.message; slot.hidden = false; }
      else unplaced.push(`${e.path ? `${e.path.slice(1).replace(/\//g, '.')}: ` : ''}${e.message}`);
    }
    showFormError(unplaced.join('\n') || undefined);
    els.call.disabled = running || errors.length > 0;
  }

  els.toggle.addEventListener('click', () => setJsonMode(!jsonMode));
  els.json.addEventListener('input', scheduleValidate);
  els.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (running) return;
    const { args, error } = collect();
    if (error) { showLocal(error); return; }
    vscode.postMessage({ type: 'call', args });
  });

  // ---- results -----------------------------------------------------------------------------------------------------
  function renderResult(/** @type {any} */ result, /** @type {number} */ elapsedMs) {
    els.result.textContent = '';
    els.result.hidden = false;
    els.result.classList.toggle('is-error', result.isError);
    els.result.append(h('h2', { text: result.isError ? 'The tool reported an error' : 'Result' }),
      h('div', { class: 'muted', text: `${(elapsedMs / 1000).toFixed(2)} s · ${result.totalChars} characters` }));
    for (const b of result.blocks) els.result.append(renderBlock(b, result.isError));
    if (result.truncated) {
      const btn = h('button', { type: 'button', class: 'secondary', id: 'open-full', text: 'Open Full Result as JSON' });
      btn.addEventListener('click', () => vscode.postMessage({ type: 'openFullResult' }));
      els.result.append(h('div', { class: 'truncated' }, [h('span', { text: 'The result is larger than what is shown here. ' }), btn]));
    } else {
      const btn = h('button', { type: 'button', class: 'link-button', id: 'open-full', text: 'Open as JSON' });
      btn.addEventListener('click', () => vscode.postMessage({ type: 'openFullResult' }));
      els.result.append(h('div', { class: 'result-actions' }, [btn]));
    }
  }

  function renderBlock(/** @type {any} */ b, /** @type {boolean} */ isError) {
    switch (b.kind) {
      case 'text': return h('pre', { class: `block text${isError ? ' error-text' : ''}`, text: b.text });
      case 'json': return h('div', { class: 'block' }, [h('div', { class: 'block-label', text: b.label }), h('pre', { class: 'json-view', text: b.text })]);
      case 'image': return h('figure', { class: 'block image' }, [
        h('img', { src: b.dataUri, alt: `Image returned by the tool (${b.mimeType})` }),
        h('figcaption', { class: 'muted', text: `${b.mimeType}, ${b.bytes} bytes` }),
      ]);
      case 'resource': return h('div', { class: 'block resource' }, [
        h('div', { class: 'block-label', text: b.label }),
        h('dl', {}, [
          h('dt', { text: 'URI' }), h('dd', { class: 'uri', text: b.uri }),
          b.name ? h('dt', { text: 'Name' }) : undefined, b.name ? h('dd', { text: b.name }) : undefined,
          b.mimeType ? h('dt', { text: 'MIME type' }) : undefined, b.mimeType ? h('dd', { text: b.mimeType }) : undefined,
          b.description ? h('dt', { text: 'Description' }) : undefined, b.description ? h('dd', { text: b.description }) : undefined,
          b.blobBytes !== undefined ? h('dt', { text: 'Binary' }) : undefined, b.blobBytes !== undefined ? h('dd', { text: `${b.blobBytes} bytes (not shown)` }) : undefined,
        ]),
        b.text !== undefined ? h('pre', { class: 'text', text: b.text }) : undefined,
      ]);
      default: return h('p', { class: 'block note muted', text: b.text });
    }
  }

  function setRunning(/** @type {boolean} */ on, /** @type {string | undefined} */ message) {
    running = on;
    els.call.disabled = on;
    els.call.textContent = on ? 'Calling…' : 'Call Tool';
    els.status.textContent = on ? (message || 'Running… (cancel from the notification)') : '';
  }

  function showFailure(/** @type {string} */ message) {
    els.result.textContent = '';
    els.result.hidden = false;
    els.result.classList.add('is-error');
    const logBtn = h('button', { type: 'button', class: 'secondary', text: 'Open Log' });
    logBtn.addEventListener('click', () => vscode.postMessage({ type: 'openLog' }));
    els.result.append(h('h2', { text: 'The call failed' }), h('pre', { class: 'block text error-text', text: message }), logBtn);
  }

  window.addEventListener('message', (ev) => {
    const msg = ev.data;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'init': init = msg; render(); break;
      case 'validation': showErrors(msg.errors, msg.note); break;
      case 'running': setRunning(true, msg.message); break;
      case 'result': setRunning(false); renderResult(msg.result, msg.elapsedMs); els.result.scrollIntoView({ block: 'nearest' }); break;
      case 'failed': setRunning(false); showFailure(msg.message); break;
      case 'cancelled': setRunning(false); els.status.textContent = 'Cancelled.'; break;
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
