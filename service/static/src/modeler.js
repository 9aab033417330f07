// Entry of ../vendor/bpmn-modeler.js: everything the designer pages need,
// behind one global, `window.YizhengModeler`. See docs/frontend.md.
import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import { BpmnModdle } from 'bpmn-moddle';

import zhCN from './zh-CN.js';
import translateModuleZh, { createTranslate, translateModule, translate } from './translate.js';
import { diff, diffDefinitions, readDefinitions, markDiff, clearDiff } from './diff.js';
import spiffPropertiesModule, {
  descriptor as spiffDescriptor, emptyCatalog, getProperty, setProperty
} from './spiffworkflow.js';

function localeModules(dictionary) {
  if (dictionary === null) {
    return []; // English, as shipped
  }
  return [ dictionary ? translateModule(dictionary) : translateModuleZh ];
}

function splitOptions(options) {
  var config = {}, key;
  for (key in options) {
    if (key !== 'dictionary' && key !== 'propertiesPanel' && key !== 'additionalModules' &&
        key !== 'catalog') {
      config[key] = options[key];
    }
  }
  return config;
}

/**
 * new Modeler with the zh-CN labels and the BPMN properties panel.
 *
 * options.container       element or selector for the canvas (required)
 * options.propertiesPanel element or selector for the panel; false: no panel
 * options.dictionary      translations (default zh-CN; null: English)
 * options.catalog         the engine's choices for the SpiffWorkflow entries (lanes, actions,
 *                         routes, checks, prefills, roles, forms()); see spiffworkflow.js
 * options.additionalModules, options.moddleExtensions, ...: passed to bpmn-js
 *
 * The SpiffWorkflow moddle extension is always registered, so its elements are typed.
 */
function createModeler(options) {
  options = options || {};
  var config = splitOptions(options);
  config.moddleExtensions = Object.assign({ spiffworkflow: spiffDescriptor }, options.moddleExtensions);
  var modules = localeModules(options.dictionary);
  if (options.propertiesPanel !== false) {
    modules.push(BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, spiffPropertiesModule,
      { yzCatalog: [ 'value', Object.assign({}, emptyCatalog, options.catalog) ] });
    if (options.propertiesPanel) {
      config.propertiesPanel = { parent: options.propertiesPanel };
    }
  }
  config.additionalModules = modules.concat(options.additionalModules || []);
  return new Modeler(config);
}

/** new NavigatedViewer (read-only, pan/zoom) with the same labels. */
function createViewer(options) {
  options = options || {};
  var config = splitOptions(options);
  config.moddleExtensions = Object.assign({ spiffworkflow: spiffDescriptor }, options.moddleExtensions);
  config.additionalModules = localeModules(options.dictionary)
    .concat(options.additionalModules || []);
  return new NavigatedViewer(config);
}

var YizhengModeler = {
  versions: __YZ_VERSIONS__,
  Modeler: Modeler,
  NavigatedViewer: NavigatedViewer,
  BpmnModdle: BpmnModdle,
  modules: {
    translate: translateModuleZh,
    propertiesPanel: BpmnPropertiesPanelModule,
    propertiesProvider: BpmnPropertiesProviderModule,
    spiffworkflowProperties: spiffPropertiesModule
  },
  moddleExtensions: { spiffworkflow: spiffDescriptor },
  getProperty: getProperty,
  setProperty: setProperty,
  zhCN: zhCN,
  translate: translate,
  createTranslate: createTranslate,
  translateModule: translateModule,
  createModeler: createModeler,
  createViewer: createViewer,
  readDefinitions: readDefinitions,
  diff: diff,
  diffDefinitions: diffDefinitions,
  markDiff: markDiff,
  clearDiff: clearDiff
};

window.YizhengModeler = YizhengModeler;

export default YizhengModeler;
