// The modeler page (templates/designer/edit.html): bpmn-js with the properties panel and the
// SpiffWorkflow entries, the form editor with the server-rendered preview, validation and
// deploy through the engine's validator. No inline script (CSP); see docs/frontend.md.
(function() {
  'use strict';
  var root = document.getElementById('designer');
  if (!root) { return; }
  var data = root.dataset;
  var forms = {};          // file name -> JSON text as edited
  var current = null;      // the form file shown in the editor
  var marked = [];
  var modeler;
  var status = document.getElementById('designer-status');
  var reportBox = document.getElementById('designer-report');
  var reportList = document.getElementById('designer-report-list');

  function say(text, kind) {
    status.textContent = text;
    status.className = 'designer-status' + (kind ? ' ' + kind : '');
  }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function(r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': data.csrf, Accept: 'application/json' },
      body: JSON.stringify(body)
    }).then(function(r) {
      return r.json().then(function(json) { return { status: r.status, body: json }; });
    });
  }

  // ---- report ---------------------------------------------------------------------------
  function clearMarks() {
    var canvas = modeler.get('canvas');
    marked.forEach(function(id) { canvas.removeMarker(id, 'yz-invalid'); });
    marked = [];
  }

  function showReport(report) {
    clearMarks();
    reportList.textContent = '';
    var registry = modeler.get('elementRegistry');
    var canvas = modeler.get('canvas');
    Object.keys(report).forEach(function(where) {
      report[where].forEach(function(reason) {
        var li = document.createElement('li');
        var element = registry.get(where);
        var label = element && element.businessObject.name ? element.businessObject.name : where;
        li.textContent = label + '：' + reason;
        if (element) {
          li.className = 'clickable';
          li.addEventListener('click', function() {
            showTab('diagram');
            modeler.get('selection').select(element);
            canvas.scrollToElement(element);
          });
        }
        reportList.appendChild(li);
      });
      if (registry.get(where)) {
        canvas.addMarker(where, 'yz-invalid');
        marked.push(where);
      }
    });
    reportBox.hidden = !Object.keys(report).length;
  }

  function payload() {
    return modeler.saveXML({ format: true }).then(function(result) {
      return { bpmn: result.xml, forms: forms };
    });
  }

  function run(url, verb) {
    say(verb + '中…');
    return payload().then(function(body) {
      return postJSON(url, body);
    }).then(function(answer) {
      showReport(answer.body.report || {});
      return answer;
    }).catch(function(error) {
      say(verb + '失败：' + error.message, 'error');
      throw error;
    });
  }

  document.getElementById('designer-validate').addEventListener('click', function() {
    run(data.validate, '校验').then(function(answer) {
      if (answer.body.ok) { say('校验通过，可以部署', 'ok'); }
      else { say('校验未通过：共 ' + answer.body.problems.length + ' 个问题，见下方报告', 'error'); }
    });
  });

  document.getElementById('designer-deploy').addEventListener('click', function() {
    run(data.deploy, '部署').then(function(answer) {
      if (answer.body.ok) {
        say(answer.body.created ? '已部署为第 ' + answer.body.version + ' 版'
                                : '内容未变化，仍为第 ' + answer.body.version + ' 版', 'ok');
        var link = document.createElement('a');
        link.href = answer.body.url;
        link.textContent = '查看版本';
        link.id = 'designer-versions-link';
        status.appendChild(document.createTextNode(' '));
        status.appendChild(link);
      } else {
        say('未部署：校验未通过，共 ' + answer.body.problems.length + ' 个问题，见下方报告', 'error');
      }
    });
  });

  // ---- tabs -----------------------------------------------------------------------------
  function showTab(name) {
    ['diagram', 'forms'].forEach(function(tab) {
      document.getElementById('tab-' + tab).setAttribute('aria-selected', String(tab === name));
      document.getElementById('pane-' + tab).hidden = tab !== name;
    });
    if (name === 'diagram') { modeler.get('canvas').resized(); }
  }
  document.getElementById('tab-diagram').addEventListener('click', function() { showTab('diagram'); });
  document.getElementById('tab-forms').addEventListener('click', function() { showTab('forms'); });

  // ---- forms ----------------------------------------------------------------------------
  var select = document.getElementById('form-file');
  var editor = document.getElementById('form-json');
  var problems = document.getElementById('form-problems');
  var preview = document.getElementById('form-preview');
  var timer = null;

  function fillSelect() {
    select.textContent = '';
    Object.keys(forms).sort().forEach(function(name) {
      var option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      option.selected = name === current;
      select.appendChild(option);
    });
  }

  function showProblems(list) {
    problems.textContent = '';
    list.forEach(function(text) {
      var p = document.createElement('p');
      p.textContent = text;
      problems.appendChild(p);
    });
  }

  function refreshPreview() {
    var schema;
    try {
      schema = JSON.parse(editor.value);
    } catch (error) {
      showProblems(['JSON 语法错误：' + error.message]);
      return;
    }
    postJSON(data.preview, { schema: schema }).then(function(answer) {
      if (answer.body.ok) {
        showProblems([]);
        preview.innerHTML = answer.body.html;  // rendered and escaped by the server's macros
      } else {
        showProblems(answer.body.problems || ['预览失败']);
      }
    });
  }

  function open(name) {
    current = name;
    editor.value = forms[name] || '';
    fillSelect();
    refreshPreview();
  }

  select.addEventListener('change', function() { open(select.value); });
  editor.addEventListener('input', function() {
    if (current) { forms[current] = editor.value; }
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 300);
  });
  document.getElementById('form-add').addEventListener('click', function() {
    var input = document.getElementById('form-new-name');
    var name = input.value.trim();
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.json$/.test(name)) {
      showProblems(['文件名须由字母、数字、._- 组成并以 .json 结尾']);
      return;
    }
    if (!forms[name]) {
      forms[name] = JSON.stringify({ type: 'object', title: '新表单', properties: {}, required: [] }, null, 2);
    }
    input.value = '';
    open(name);
  });

  // ---- start ----------------------------------------------------------------------------
  Promise.all([getJSON(data.source), getJSON(data.catalog)]).then(function(loaded) {
    var source = loaded[0], catalog = loaded[1];
    Object.keys(source.forms).forEach(function(name) {
      forms[name] = JSON.stringify(source.forms[name], null, 2);
    });
    catalog.forms = function() { return Object.keys(forms).sort(); };
    modeler = window.YizhengModeler.createModeler({
      container: '#designer-canvas', propertiesPanel: '#designer-properties', catalog: catalog
    });
    return modeler.importXML(source.bpmn).then(function() {
      modeler.get('canvas').zoom('fit-viewport');
      var names = Object.keys(forms).sort();
      if (names.length) { open(names[0]); }
      root.classList.add('ready');
      say('已载入第 ' + source.version + ' 版');
    });
  }).catch(function(error) {
    say('载入失败：' + error.message, 'error');
  });
})();
