import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { cronScheduleError } from './cron-schedule.js';
import { cronJobDescriptor as d } from './cronjob.js';
import { created, createErrors, manifestWithSpec, row, TEST_NOW } from './kind-test-util.js';

// The tutorial's cronjob.yaml.
const HELLO = `
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox
            args:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
`;

const withSpec = (patch: Record<string, unknown>): KubeObject => manifestWithSpec(created(d, HELLO), patch);

describe('CronJob defaults', () => {
  it('stores cronjob.yaml the way kube-apiserver does', () => {
    const cj = created(d, HELLO);
    const spec = cj.spec as any;
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    assert.equal(spec.timeZone, undefined);
    assert.equal(spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
    assert.equal(spec.jobTemplate.spec.template.spec.schedulerName, 'default-scheduler');
    // Job-level defaults are not applied to the template; the Job gets them when it is created.
    assert.equal(spec.jobTemplate.spec.backoffLimit, undefined);
    assert.deepEqual(cj.status, {});
    assert.deepEqual(createErrors(d, cj), []);
  });
});

describe('CronJob schedule parsing', () => {
  it('accepts the standard forms', () => {
    for (const s of ['*/1 * * * *', '0 3 * * *', '0 9 * * MON-FRI', '15,45 */2 1-15 jan-jun ?', '@hourly', '@every 1h30m', '5/15 * * * *']) {
      assert.equal(cronScheduleError(s), undefined, s);
    }
  });

  it('words errors like robfig/cron', () => {
    assert.equal(cronScheduleError('bad'), 'expected exactly 5 fields, found 1: [bad]');
    assert.equal(cronScheduleError('*/1 * * *'), 'expected exactly 5 fields, found 4: [*/1 * * *]');
    assert.equal(cronScheduleError('61 * * * *'), 'end of range (61) above maximum (59): 61');
    assert.equal(cronScheduleError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
    assert.equal(cronScheduleError('* * * * 7'), 'end of range (7) above maximum (6): 7');
    assert.equal(cronScheduleError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
    assert.equal(cronScheduleError('*/0 * * * *'), 'step of range should be a positive number: */0');
    assert.equal(cronScheduleError('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
    assert.equal(cronScheduleError('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
    assert.equal(cronScheduleError('@sometimes'), 'unrecognized descriptor: @sometimes');
    assert.equal(cronScheduleError('@every 5'), 'failed to parse duration @every 5: time: missing unit in duration "5"');
  });
});

describe('CronJob validation', () => {
  it('reports a bad schedule at spec.schedule', () => {
    assert.deepEqual(createErrors(d, withSpec({ schedule: 'bad' })), ['spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]']);
    assert.deepEqual(createErrors(d, withSpec({ schedule: '' })), ['spec.schedule: Required value']);
  });

  it('refuses TZ inside the schedule on create', () => {
    assert.deepEqual(createErrors(d, withSpec({ schedule: 'TZ=UTC 0 * * * *' })), [
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
  });

  it('checks the time zone', () => {
    assert.deepEqual(createErrors(d, withSpec({ timeZone: 'Europe/Berlin' })), []);
    assert.deepEqual(createErrors(d, withSpec({ timeZone: '' })), ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string']);
    assert.deepEqual(createErrors(d, withSpec({ timeZone: 'Mars/Olympus' })), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
    assert.deepEqual(createErrors(d, withSpec({ timeZone: 'Local' })), [
      'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    ]);
  });

  it('checks the concurrency policy and history limits', () => {
    assert.deepEqual(createErrors(d, withSpec({ concurrencyPolicy: 'Sometimes' })), [
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ successfulJobsHistoryLimit: -1 })), [
      'spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('limits names to 52 characters', () => {
    const cj = created(d, HELLO);
    cj.metadata.name = 'a'.repeat(53);
    assert.deepEqual(createErrors(d, cj), [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`]);
  });

  it('applies the Job rules to the template', () => {
    const cj = created(d, HELLO);
    const jobSpec = (cj.spec as any).jobTemplate.spec;
    jobSpec.template.spec.restartPolicy = 'Always';
    jobSpec.selector = { matchLabels: { a: 'b' } };
    assert.deepEqual(createErrors(d, cj), [
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
    ]);
  });
});

describe('CronJob table', () => {
  it('prints SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE', () => {
    const cj = created(d, HELLO);
    assert.deepEqual(row(d, cj, TEST_NOW + 600_000), {
      Name: 'hello',
      Schedule: '*/1 * * * *',
      Timezone: '<none>',
      Suspend: 'False',
      Active: 0,
      'Last Schedule': '<none>',
      Age: '10m',
      Containers: 'hello',
      Images: 'busybox',
      Selector: '<none>',
    });
    cj.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2024-05-01T10:09:15Z' };
    const r = row(d, cj, TEST_NOW + 600_000);
    assert.equal(r.Active, 1);
    assert.equal(r['Last Schedule'], '45s');
  });
});
