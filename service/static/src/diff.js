// Version diffs for BPMN documents: bpmn-js-differ decides *which* elements
// were added, removed, changed or only moved; the attribute details of a
// changed element are computed here from the two parsed documents, because
// the differ reports nothing below the first level (a sequence flow's
// condition, a task's spiffworkflow:properties) and, in 3.2.0, hands
// `oldValue`/`newValue` back swapped.
import { BpmnModdle } from 'bpmn-moddle';
import { diff as bpmnDiff } from 'bpmn-js-differ';

// Containment lists whose members the differ tracks on their own; comparing
// them again on the container would only repeat the added/removed lists.
var CONTAINER_PROPS = {
  flowElements: 1, laneSets: 1, lanes: 1, childLaneSet: 1, artifacts: 1,
  rootElements: 1, participants: 1, messageFlows: 1, diagrams: 1,
  conversations: 1, conversationLinks: 1, choreographyRef: 1
};

export function readDefinitions(xml, moddleExtensions) {
  var moddle = new BpmnModdle(moddleExtensions || {});
  return moddle.fromXML(xml, 'bpmn:Definitions').then(function(result) {
    return result.rootElement;
  });
}

function isModdle(value) {
  return value && typeof value === 'object' && value.$descriptor;
}

function idOf(el) {
  return el && (el.id || (el.get && el.get('id')));
}

// A JSON-able copy of a moddle element: references become '#id', nested
// tracked containers are left out (see CONTAINER_PROPS).
function canonical(value) {
  if (value === null || value === undefined || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (!isModdle(value)) {
    var copy = {};
    Object.keys(value).sort().forEach(function(key) {
      copy[key] = canonical(value[key]);
    });
    return copy;
  }
  var out = { $type: value.$type };
  var descriptor = value.$descriptor;
  if (descriptor.isGeneric) {
    Object.keys(value).forEach(function(key) {
      if (key === '$type' || key === '$parent' || key === '$instanceOf' ||
          key === '$descriptor' || key === '$model') {
        return;
      }
      if (value[key] !== undefined) {
        out[key] = canonical(value[key]);
      }
    });
    return out;
  }
  descriptor.properties.forEach(function(prop) {
    var name = prop.name;
    if (prop.isVirtual || CONTAINER_PROPS[name] || name === '$parent') {
      return;
    }
    if (prop.isMany && prop.isReference) {
      return; // incoming/outgoing/flowNodeRef: derived, the differ skips them too
    }
    var v;
    try { v = value.get(name); } catch (e) { v = value[name]; }
    if (v === undefined || (Array.isArray(v) && !v.length)) {
      return;
    }
    if (prop.isReference) {
      out[name] = v && ('#' + idOf(v));
    } else {
      out[name] = canonical(v);
    }
  });
  var attrs = value.$attrs;
  if (attrs && Object.keys(attrs).length) {
    out.$attrs = canonical(attrs);
  }
  return out;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function itemKey(item, idx) {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    if (item.id !== undefined) { return (item.$type || '') + '#' + item.id; }
    if (item.name !== undefined) { return (item.$type || '') + '[name=' + item.name + ']'; }
    return (item.$type || '') + '[' + idx + ']';
  }
  return '[' + idx + ']';
}

// Walk two canonical values in step and list the leaves that differ.
function compare(a, b, path, out) {
  if (same(a, b)) {
    return;
  }
  var bothObjects = a && b && typeof a === 'object' && typeof b === 'object';
  if (bothObjects && Array.isArray(a) && Array.isArray(b)) {
    var left = {}, right = {}, order = [];
    a.forEach(function(item, i) { var k = itemKey(item, i); left[k] = item; order.push(k); });
    b.forEach(function(item, i) {
      var k = itemKey(item, i); right[k] = item;
      if (!(k in left)) { order.push(k); }
    });
    order.forEach(function(k) {
      compare(k in left ? left[k] : null, k in right ? right[k] : null, path.concat(k), out);
    });
    return;
  }
  if (bothObjects && !Array.isArray(a) && !Array.isArray(b) && a.$type === b.$type) {
    var keys = Object.keys(a);
    Object.keys(b).forEach(function(k) { if (keys.indexOf(k) < 0) { keys.push(k); } });
    keys.forEach(function(k) {
      if (k === '$type') { return; }
      // `values` (extensionElements) and `$children` (generic XML) add no meaning
      var seg = (k === 'values' || k === '$children') ? [] : [ k ];
      compare(a[k] === undefined ? null : a[k], b[k] === undefined ? null : b[k],
        path.concat(seg), out);
    });
    return;
  }
  out.push({
    path: path.join('.') || '$type',
    oldValue: a === undefined ? null : a,
    newValue: b === undefined ? null : b
  });
}

function collectById(root) {
  var byId = {}, seen = [];
  (function walk(el) {
    if (!isModdle(el) || seen.indexOf(el) >= 0) { return; }
    seen.push(el);
    var id = idOf(el);
    if (id && !byId[id]) { byId[id] = el; }
    var props = el.$descriptor.isGeneric ? [] : el.$descriptor.properties;
    props.forEach(function(prop) {
      if (prop.isReference || prop.isVirtual) { return; }
      var v = el[prop.name];
      if (Array.isArray(v)) { v.forEach(walk); } else { walk(v); }
    });
  })(root);
  return byId;
}

function describe(el) {
  return {
    id: idOf(el),
    type: el && el.$type,
    name: (el && el.name) || ''
  };
}

function elementChanges(oldEl, newEl) {
  var attrs = [];
  compare(canonical(oldEl), canonical(newEl), [], attrs);
  // a process shown as a pool is reported under its participant
  if (oldEl && newEl && oldEl.$type === 'bpmn:Participant' && oldEl.processRef && newEl.processRef) {
    compare(canonical(oldEl.processRef), canonical(newEl.processRef), [ 'processRef' ], attrs);
  }
  return attrs;
}

/**
 * Compare two parsed bpmn:Definitions.
 *
 * @return {{added: Array, removed: Array, changed: Array, layoutChanged: Array,
 *           isEmpty: boolean, raw: Object}}
 */
export function diffDefinitions(oldDefinitions, newDefinitions) {
  var raw = bpmnDiff(oldDefinitions, newDefinitions);
  var oldById = collectById(oldDefinitions), newById = collectById(newDefinitions);

  function list(map, lookup) {
    return Object.keys(map).map(function(id) {
      return describe(lookup[id] || map[id]);
    });
  }

  var changed = Object.keys(raw._changed).map(function(id) {
    var entry = describe(newById[id] || raw._changed[id].model);
    entry.attrs = elementChanges(oldById[id], newById[id]);
    return entry;
  });

  var result = {
    added: list(raw._added, newById),
    removed: list(raw._removed, oldById),
    changed: changed,
    layoutChanged: list(raw._layoutChanged, newById),
    raw: raw
  };
  result.isEmpty = !(result.added.length || result.removed.length ||
    result.changed.length || result.layoutChanged.length);
  return result;
}

/**
 * Compare two BPMN XML strings (old first). Resolves to the same shape as
 * diffDefinitions.
 */
export function diff(oldXml, newXml, moddleExtensions) {
  return Promise.all([
    readDefinitions(oldXml, moddleExtensions),
    readDefinitions(newXml, moddleExtensions)
  ]).then(function(defs) {
    return diffDefinitions(defs[0], defs[1]);
  });
}

var MARKERS = {
  added: 'yz-diff-added',
  removed: 'yz-diff-removed',
  changed: 'yz-diff-changed',
  layoutChanged: 'yz-diff-layout'
};

/**
 * Highlight a diff on a viewer/modeler showing one side of it.
 * side 'new' marks added + changed + layoutChanged, 'old' marks removed +
 * changed + layoutChanged. Returns the number of elements marked.
 */
export function markDiff(viewer, result, side) {
  var canvas = viewer.get('canvas'), registry = viewer.get('elementRegistry');
  var kinds = side === 'old'
    ? [ 'removed', 'changed', 'layoutChanged' ]
    : [ 'added', 'changed', 'layoutChanged' ];
  var count = 0;
  kinds.forEach(function(kind) {
    result[kind].forEach(function(entry) {
      if (registry.get(entry.id)) {
        canvas.addMarker(entry.id, MARKERS[kind]);
        count++;
      }
    });
  });
  return count;
}

export function clearDiff(viewer) {
  var canvas = viewer.get('canvas');
  viewer.get('elementRegistry').forEach(function(element) {
    Object.keys(MARKERS).forEach(function(kind) {
      canvas.removeMarker(element, MARKERS[kind]);
    });
  });
}
