// Properties panel entries for the SpiffWorkflow extension elements the engine reads
// (docs/engine.md): a user task's form file, deadlines, roles, route, pre-filler, check,
// reviewer's view and withdrawal; a start event's check and starters; a service task's
// action (from the engine's action table), result variable and parameters; a lane's role;
// script bodies and sequence-flow conditions. Choices come from the `yzCatalog` value the
// page provides: { lanes, actions, routes, checks, prefills, roles, forms() }.
import { h } from '@bpmn-io/properties-panel/preact';
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';
import descriptor from './spiffworkflow.json';

export { descriptor };

function extensionOf(bo, type) {
  var ext = bo.get('extensionElements');
  return ext ? (ext.get('values') || []).find(function(v) { return is(v, type); }) : undefined;
}

export function getProperty(element, name) {
  var props = extensionOf(getBusinessObject(element), 'spiffworkflow:Properties');
  var found = props && (props.get('properties') || []).find(function(p) { return p.name === name; });
  return found ? found.value : undefined;
}

// One command per edit (one undo step), whatever has to be created on the way.
export function setProperty(injector, element, name, value) {
  var modeling = injector.get('modeling');
  var moddle = injector.get('moddle');
  var bo = getBusinessObject(element);
  var ext = bo.get('extensionElements');
  var props = extensionOf(bo, 'spiffworkflow:Properties');
  var list = props ? props.get('properties') : [];
  var prop = list.find(function(p) { return p.name === name; });
  var empty = value === undefined || value === null || value === '';
  if (empty) {
    if (prop) {
      modeling.updateModdleProperties(element, props, {
        properties: list.filter(function(p) { return p !== prop; })
      });
    }
    return;
  }
  if (prop) {
    modeling.updateModdleProperties(element, prop, { value: value });
    return;
  }
  prop = moddle.create('spiffworkflow:Property', { name: name, value: value });
  if (props) {
    prop.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: list.concat(prop) });
    return;
  }
  props = moddle.create('spiffworkflow:Properties', { properties: [ prop ] });
  prop.$parent = props;
  if (ext) {
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: ext.get('values').concat(props) });
    return;
  }
  ext = moddle.create('bpmn:ExtensionElements', { values: [ props ] });
  props.$parent = ext;
  ext.$parent = bo;
  modeling.updateProperties(element, { extensionElements: ext });
}

function operatorOf(element) {
  return extensionOf(getBusinessObject(element), 'spiffworkflow:ServiceTaskOperator');
}

function setOperator(injector, element, attrs) {
  var modeling = injector.get('modeling');
  var moddle = injector.get('moddle');
  var bo = getBusinessObject(element);
  var operator = operatorOf(element);
  if (operator) {
    modeling.updateModdleProperties(element, operator, attrs);
    return;
  }
  operator = moddle.create('spiffworkflow:ServiceTaskOperator', Object.assign({
    parameterList: moddle.create('spiffworkflow:Parameters', { parameters: [] })
  }, attrs));
  operator.parameterList.$parent = operator;
  var ext = bo.get('extensionElements');
  if (ext) {
    operator.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: ext.get('values').concat(operator) });
  } else {
    ext = moddle.create('bpmn:ExtensionElements', { values: [ operator ] });
    operator.$parent = ext;
    ext.$parent = bo;
    modeling.updateProperties(element, { extensionElements: ext });
  }
}

// "name = expression" per line <-> spiffworkflow:parameter elements
function parametersText(element) {
  var operator = operatorOf(element);
  var list = operator && operator.parameterList ? operator.parameterList.get('parameters') : [];
  return list.map(function(p) { return p.id + ' = ' + (p.value || ''); }).join('\n');
}

function setParameters(injector, element, text) {
  var moddle = injector.get('moddle');
  var modeling = injector.get('modeling');
  if (!operatorOf(element)) {
    setOperator(injector, element, { id: '' });
  }
  var operator = operatorOf(element);
  var parameters = moddle.create('spiffworkflow:Parameters', { parameters: [] });
  (text || '').split('\n').forEach(function(line) {
    var i = line.indexOf('=');
    var id = (i < 0 ? line : line.slice(0, i)).trim();
    if (id) {
      var p = moddle.create('spiffworkflow:Parameter', {
        id: id, type: 'any', value: i < 0 ? id : line.slice(i + 1).trim()
      });
      p.$parent = parameters;
      parameters.get('parameters').push(p);
    }
  });
  parameters.$parent = operator;
  modeling.updateModdleProperties(element, operator, { parameterList: parameters });
}

function options(list, empty) {
  var out = empty === false ? [] : [ { value: '', label: empty || '（不设置）' } ];
  return out.concat((list || []).map(function(o) {
    return typeof o === 'string' ? { value: o, label: o } : o;
  }));
}

function withMissing(list, current) {
  // keep a value the catalog does not know visible (validation reports it)
  if (current && !list.some(function(o) { return o.value === current; })) {
    return list.concat({ value: current, label: current + '（未注册）' });
  }
  return list;
}

function PropertyText(props) {
  var translate = useService('translate');
  var debounce = useService('debounceInput');
  var injector = useService('injector');
  return h(TextFieldEntry, {
    element: props.element, id: props.id, label: translate(props.label),
    description: props.description ? translate(props.description) : undefined,
    debounce: debounce,
    getValue: function() { return getProperty(props.element, props.name) || ''; },
    setValue: function(value) { setProperty(injector, props.element, props.name, value); }
  });
}

function PropertySelect(props) {
  var translate = useService('translate');
  var injector = useService('injector');
  return h(SelectEntry, {
    element: props.element, id: props.id, label: translate(props.label),
    getValue: function() { return getProperty(props.element, props.name) || ''; },
    setValue: function(value) { setProperty(injector, props.element, props.name, value); },
    getOptions: function() {
      return withMissing(options(props.choices()), getProperty(props.element, props.name));
    }
  });
}

function PropertyCheckbox(props) {
  var translate = useService('translate');
  var injector = useService('injector');
  return h(CheckboxEntry, {
    element: props.element, id: props.id, label: translate(props.label),
    getValue: function() { return getProperty(props.element, props.name) === 'true'; },
    setValue: function(value) {
      setProperty(injector, props.element, props.name, value ? 'true' : '');
    }
  });
}

function LaneRole(props) {
  var translate = useService('translate');
  var modeling = useService('modeling');
  var catalog = useService('yzCatalog');
  return h(SelectEntry, {
    element: props.element, id: props.id, label: translate('泳道角色'),
    getValue: function() { return getBusinessObject(props.element).name || ''; },
    setValue: function(value) { modeling.updateProperties(props.element, { name: value }); },
    getOptions: function() {
      return withMissing(options(catalog.lanes, '（请选择）'), getBusinessObject(props.element).name);
    }
  });
}

function OperatorSelect(props) {
  var translate = useService('translate');
  var injector = useService('injector');
  var catalog = useService('yzCatalog');
  var current = function() { var o = operatorOf(props.element); return o ? o.id || '' : ''; };
  return h(SelectEntry, {
    element: props.element, id: props.id, label: translate('调用的动作'),
    getValue: current,
    setValue: function(value) { setOperator(injector, props.element, { id: value }); },
    getOptions: function() { return withMissing(options(catalog.actions, '（请选择）'), current()); }
  });
}

function ResultVariable(props) {
  var translate = useService('translate');
  var debounce = useService('debounceInput');
  var injector = useService('injector');
  return h(TextFieldEntry, {
    element: props.element, id: props.id, label: translate('结果变量'), debounce: debounce,
    getValue: function() { var o = operatorOf(props.element); return o ? o.resultVariable || '' : ''; },
    setValue: function(value) { setOperator(injector, props.element, { resultVariable: value }); }
  });
}

// A plain textarea entry (no CodeMirror: nothing needs a CSP nonce).
function textArea(label, rows, get, set) {
  return function(props) {
    var translate = useService('translate');
    var debounce = useService('debounceInput');
    var injector = useService('injector');
    return h(TextAreaEntry, {
      element: props.element, id: props.id, label: translate(label), debounce: debounce,
      rows: rows, monospace: true,
      getValue: function() { return get(props.element); },
      setValue: function(value) { set(injector, props.element, value); }
    });
  };
}

var Parameters = textArea('参数（每行：名称 = 表达式）', 3, parametersText, setParameters);

var Script = textArea('脚本（受限 Python）', 4,
  function(element) { return getBusinessObject(element).script || ''; },
  function(injector, element, value) {
    injector.get('modeling').updateProperties(element, { scriptFormat: 'python', script: value });
  });

var Condition = textArea('条件表达式（Python）', 2,
  function(element) {
    var c = getBusinessObject(element).conditionExpression;
    return c ? c.body || '' : '';
  },
  function(injector, element, value) {
    injector.get('modeling').updateProperties(element, {
      conditionExpression: value
        ? injector.get('moddle').create('bpmn:FormalExpression', { body: value }) : undefined
    });
  });

function entry(id, element, component, isEdited, extra) {
  return Object.assign({ id: id, element: element, component: component, isEdited: isEdited }, extra);
}

function userTaskEntries(element, catalog) {
  var text = function(name, label, description) {
    return entry('yz-' + name, element, PropertyText, isTextFieldEntryEdited,
      { name: name, label: label, description: description });
  };
  var select = function(name, label, choices) {
    return entry('yz-' + name, element, PropertySelect, isSelectEntryEdited,
      { name: name, label: label, choices: choices });
  };
  return [
    select('formJsonSchemaFilename', '表单文件', function() { return catalog.forms(); }),
    text('deadline_days', '办理时限（自然日）'),
    text('deadline_working_days', '办理时限（工作日）'),
    text('deadline_from', '时限起算变量', '为空时从待办产生之日起算'),
    text('roles', '限定角色', '以空格分隔的角色标识，如 bureau_head'),
    select('route', '分派规则', function() { return catalog.routes; }),
    select('prefill', '预填规则', function() { return catalog.prefills; }),
    select('check', '提交前规则校验', function() { return catalog.checks; }),
    text('shows', '审核时展示的任务', '以空格分隔的任务标识'),
    text('four_eyes', '双人复核：不得由办理过这些任务的人办理'),
    entry('yz-withdrawable', element, PropertyCheckbox, isCheckboxEntryEdited,
      { name: 'withdrawable', label: '申请人可在此待办期间撤回' })
  ];
}

function startEntries(element, catalog) {
  return [
    entry('yz-check', element, PropertySelect, isSelectEntryEdited,
      { name: 'check', label: '发起前规则校验', choices: function() { return catalog.checks; } }),
    entry('yz-startable_by', element, PropertyText, isTextFieldEntryEdited,
      { name: 'startable_by', label: '可发起的泳道', description: '以空格分隔，为空时为开始事件所在泳道' })
  ];
}

function SpiffPropertiesProvider(propertiesPanel, yzCatalog) {
  this.getGroups = function(element) {
    return function(groups) {
      var entries = [];
      if (is(element, 'bpmn:UserTask')) {
        entries = userTaskEntries(element, yzCatalog);
      } else if (is(element, 'bpmn:StartEvent')) {
        entries = startEntries(element, yzCatalog);
      } else if (is(element, 'bpmn:ServiceTask')) {
        entries = [
          entry('yz-operator', element, OperatorSelect, isSelectEntryEdited),
          entry('yz-result', element, ResultVariable, isTextFieldEntryEdited),
          entry('yz-parameters', element, Parameters, isTextAreaEntryEdited)
        ];
      } else if (is(element, 'bpmn:ScriptTask')) {
        entries = [ entry('yz-script', element, Script, isTextAreaEntryEdited) ];
      } else if (is(element, 'bpmn:Lane')) {
        entries = [ entry('yz-lane', element, LaneRole, isSelectEntryEdited) ];
      } else if (is(element, 'bpmn:SequenceFlow') &&
                 is(getBusinessObject(element).sourceRef, 'bpmn:Gateway')) {
        entries = [ entry('yz-condition', element, Condition, isTextAreaEntryEdited) ];
      }
      if (entries.length) {
        groups.splice(1, 0, { id: 'yz-engine', label: '流程引擎设置', entries: entries });
      }
      return groups;
    };
  };
  propertiesPanel.registerProvider(400, this);
}

SpiffPropertiesProvider.$inject = [ 'propertiesPanel', 'yzCatalog' ];

export var emptyCatalog = {
  lanes: [], actions: [], routes: [], checks: [], prefills: [], roles: [],
  forms: function() { return []; }
};

export default {
  __init__: [ 'yzSpiffPropertiesProvider' ],
  yzSpiffPropertiesProvider: [ 'type', SpiffPropertiesProvider ]
};
