// pm2 fields apictl has no equivalent for, each with what apictl does instead
// (the import and start warnings quote these).

export const NO_EQUIVALENT: Record<string, string> = {
  exec_mode: "apictl runs each instance as its own process on a private PORT behind its balancer, for any interpreter (no Node cluster module): the app must listen on process.env.PORT",
  merge_logs: 'apictl always writes all instances of a service to one out and one err log, each line tagged with its instance',
  combine_logs: 'apictl always writes all instances of a service to one out and one err log, each line tagged with its instance',
  log_date_format: 'apictl stamps every line with an ISO 8601 time; the format is fixed (logDate: false stores lines as written)',
  time: 'apictl stamps every line with an ISO 8601 time by default (logDate: false turns it off)',
  out_file: 'apictl writes logs to $APICTL_HOME/logs/<name>.out.log and <name>.err.log',
  error_file: 'apictl writes logs to $APICTL_HOME/logs/<name>.out.log and <name>.err.log',
  log_file: 'apictl writes logs to $APICTL_HOME/logs/<name>.out.log and <name>.err.log',
  output: 'apictl writes logs to $APICTL_HOME/logs/<name>.out.log',
  error: 'apictl writes logs to $APICTL_HOME/logs/<name>.err.log',
  log: 'apictl writes logs to $APICTL_HOME/logs/<name>.out.log and <name>.err.log',
  pid_file: 'apictl keeps pids in its state; `apictl list --json` shows them',
  min_uptime: 'apictl counts a crash as quick when it comes within 30 s of the start; maxRestarts quick crashes in a row make the service errored',
  listen_timeout: 'apictl waits for ready (port accepting, or health answering 2xx) up to --wait-timeout, default 30s',
  wait_ready: "apictl decides readiness itself: the port accepts connections, or `health` answers 2xx (no process.send('ready'))",
  shutdown_with_message: 'apictl stops a service with a signal (stopSignal), never an IPC message',
  kill_retry_time: 'apictl sends stopSignal once, then SIGKILL to the process group after killTimeout',
  instance_var: 'apictl sets APICTL_INSTANCE (and APICTL_NAME) in every instance',
  increment_var: 'every instance gets its own PORT; APICTL_INSTANCE tells them apart',
  treekill: 'apictl always stops the whole process group',
  autostart: 'apictl starts every service of the file; pick some with --only',
  filter_env: "apictl never copies the environment of the shell that runs `apictl start`: a service gets the daemon's environment plus env/envFile",
  watch_delay: 'apictl debounces file changes itself',
  watch_options: "apictl's watcher takes only watch and ignore",
  source_map_support: 'apictl runs the script as given; Node source maps: add --enable-source-maps to interpreterArgs',
  namespace: 'apictl has no namespaces: address services by name, or all',
  vizion: 'apictl keeps no version-control metadata',
  post_update: 'apictl has no deploy hooks',
  force: 'apictl refuses to start a second service under a name that exists with another definition',
  append_env_to_name: 'apictl names a service once, by name',
};

/** Keys of a dump.pm2 entry that are pm2's runtime state, not configuration: never warned about. */
export const DUMP_STATE_KEYS = new Set([
  'pm_id', 'status', 'restart_time', 'unstable_restarts', 'created_at', 'pm_uptime', 'axm_actions', 'axm_monitor', 'axm_options',
  'axm_dynamic', 'versioning', 'exit_code', 'pm_pid_path', 'pm_err_log_path', 'pm_out_log_path', 'pm_log_path', 'node_version',
  'username', 'unique_id', 'km_link', 'vizion_running', 'prev_restart_delay', 'NODE_APP_INSTANCE', 'pmx_module',
  'windowsHide', 'automation', 'pmx', 'trace', 'disable_trace', 'deep_monitoring', 'uid', 'gid', 'pm_pid',
]);
