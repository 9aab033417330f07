// bpmn-js `translate` override: looks the English template up in a
// dictionary, then fills `{placeholder}`s exactly as diagram-js does.
import zhCN from './zh-CN.js';

export function createTranslate(dictionary) {
  return function translate(template, replacements) {
    replacements = replacements || {};
    var text = Object.prototype.hasOwnProperty.call(dictionary, template)
      ? dictionary[template]
      : template;
    return text.replace(/{([^}]+)}/g, function(_, key) {
      return Object.prototype.hasOwnProperty.call(replacements, key)
        ? replacements[key]
        : '{' + key + '}';
    });
  };
}

export var translate = createTranslate(zhCN);

// A didi module: `additionalModules: [ translateModule(dict) ]`.
export function translateModule(dictionary) {
  return { translate: [ 'value', createTranslate(dictionary) ] };
}

export default translateModule(zhCN);
