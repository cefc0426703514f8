// The admin's schedule form (templates/admin/djcelery/change_periodictask_form.html): shows the
// chosen crontab in words under the crontab field, as django-celery-beat's own inline script does.
// Crontab descriptions come from #readable-crontabs (json_script) and are written as text.

"use strict";

(() => {
  const $ = window.django && window.django.jQuery;
  const data = document.getElementById("readable-crontabs");
  if (!$ || !data) {
    return;
  }
  const readableCrontabs = JSON.parse(data.textContent);
  const help = $(".field-crontab .help");
  const originalHelp = help.text();

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(() => {
    const translation = readableCrontabs[$("#id_crontab").val()] || "";
    help.empty().append(document.createTextNode(originalHelp), $("<br>"), document.createTextNode(`Translation: ${translation}`));
  });
})();
