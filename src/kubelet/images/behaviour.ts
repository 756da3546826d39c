// What an image does when it runs: its ENTRYPOINT and CMD, the files it ships, its working directory and the
// ports its program serves. Repositories not listed here keep the old behaviour (run until stopped).
import { HTTPD_INDEX, NGINX_INDEX } from '../../containers/programs/servers.js';

export interface ImageBehaviour {
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  env?: Record<string, string>;
  files?: Record<string, string>;
  ports?: number[];
}

// Shell images have CMD sh, which exits at once without a terminal; the simulation keeps them idle instead, so
// a bare `kubectl run --image=busybox` stays up to exec into.
const SHELL: ImageBehaviour = {};

const builtin: Record<string, ImageBehaviour> = {
  'docker.io/library/nginx': {
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    env: { NGINX_VERSION: '1.27.5' },
    files: { '/docker-entrypoint.sh': '#!/bin/sh\n', '/usr/share/nginx/html/index.html': NGINX_INDEX, '/usr/share/nginx/html/50x.html': '<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n', '/etc/nginx/nginx.conf': 'user  nginx;\nworker_processes  auto;\n' },
    ports: [80],
  },
  'docker.io/library/httpd': { cmd: ['httpd-foreground'], workingDir: '/usr/local/apache2', files: { '/usr/local/apache2/htdocs/index.html': HTTPD_INDEX }, ports: [80] },
  'docker.io/library/busybox': SHELL,
  'docker.io/library/alpine': SHELL,
  'docker.io/library/ubuntu': SHELL,
  'docker.io/library/debian': SHELL,
  'docker.io/library/redis': { entrypoint: ['docker-entrypoint.sh'], cmd: ['redis-server'], workingDir: '/data', ports: [6379] },
  'quay.io/fluentd_elasticsearch/fluentd': { entrypoint: ['/entrypoint.sh'], cmd: ['fluentd'], files: { '/entrypoint.sh': '#!/bin/sh\n' } },
  'docker.io/iwbaek/train': { entrypoint: ['python', 'train.py'], workingDir: '/', files: { '/train.py': '# train.py (simulated)\n' } },
};

const overrides = new Map<string, ImageBehaviour>();

/** Adds or replaces image behaviours (a user catalog's `behaviour` entries). */
export function setImageBehaviour(repository: string, b: ImageBehaviour): void {
  overrides.set(repository, b);
}

export function imageBehaviour(repository: string): ImageBehaviour | undefined {
  return overrides.get(repository) ?? builtin[repository];
}
