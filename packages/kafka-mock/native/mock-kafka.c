/*
 * mock-kafka: runs librdkafka's mock Kafka cluster in its own process so tests and benchmarks can
 * reach it over real TCP with any client (kafkajs, kcat).
 *
 *   mock-kafka [--brokers N] [topic:partitions ...]
 *
 * Prints one line `bootstrap <host:port,...>` on stdout once the cluster and topics exist, then
 * reads one command a line on stdin and answers each with `ok` or `error <reason>`:
 *
 *   down <brokerId|-1>              disconnect a broker and refuse new connections
 *   up <brokerId|-1>                accept connections again
 *   rtt <brokerId|-1> <ms>          add round-trip delay
 *   leader <topic> <partition> <id> move a partition's leadership
 *   topic <name> <partitions>       create a topic
 *
 * Exits 0 on stdin EOF, a `quit` command, SIGTERM or SIGINT (the cluster is destroyed first, so
 * its listening sockets close).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static int parse_int(const char *s, long *out) {
  char *end;
  errno = 0;
  *out = strtol(s, &end, 10);
  return errno == 0 && end != s && *end == '\0';
}

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *name, const char *partitions) {
  long n;
  if (!parse_int(partitions, &n) || n < 1 || n > 100000) {
    fprintf(stderr, "mock-kafka: bad partition count %s for topic %s\n", partitions, name);
    return -1;
  }
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, (int)n, 1);
  if (err) {
    fprintf(stderr, "mock-kafka: cannot create topic %s: %s\n", name, rd_kafka_err2str(err));
    return -1;
  }
  return 0;
}

/* Runs one command line; returns NULL on success or an error text. */
static const char *run_command(rd_kafka_mock_cluster_t *mc, char *line) {
  char *argv[5] = {0};
  int argc = 0;
  for (char *tok = strtok(line, " \t\r\n"); tok && argc < 5; tok = strtok(NULL, " \t\r\n")) argv[argc++] = tok;
  if (argc == 0) return "empty command";
  long a, b;
  rd_kafka_resp_err_t err;
  if (!strcmp(argv[0], "down") && argc == 2 && parse_int(argv[1], &a)) {
    err = rd_kafka_mock_broker_set_down(mc, (int32_t)a);
  } else if (!strcmp(argv[0], "up") && argc == 2 && parse_int(argv[1], &a)) {
    err = rd_kafka_mock_broker_set_up(mc, (int32_t)a);
  } else if (!strcmp(argv[0], "rtt") && argc == 3 && parse_int(argv[1], &a) && parse_int(argv[2], &b)) {
    err = rd_kafka_mock_broker_set_rtt(mc, (int32_t)a, (int)b);
  } else if (!strcmp(argv[0], "leader") && argc == 4 && parse_int(argv[2], &a) && parse_int(argv[3], &b)) {
    err = rd_kafka_mock_partition_set_leader(mc, argv[1], (int32_t)a, (int32_t)b);
  } else if (!strcmp(argv[0], "topic") && argc == 3 && parse_int(argv[2], &a)) {
    err = rd_kafka_mock_topic_create(mc, argv[1], (int)a, 1);
  } else {
    return "unknown command (down <id>, up <id>, rtt <id> <ms>, leader <topic> <partition> <id>, topic <name> <partitions>, quit)";
  }
  return err ? rd_kafka_err2str(err) : NULL;
}

int main(int argc, char **argv) {
  long brokers = 3;
  int first_topic = 1;
  if (argc >= 3 && !strcmp(argv[1], "--brokers")) {
    if (!parse_int(argv[2], &brokers) || brokers < 1 || brokers > 64) {
      fprintf(stderr, "mock-kafka: --brokers expects 1..64, got %s\n", argv[2]);
      return 2;
    }
    first_topic = 3;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  /* The mock cluster lives inside a client handle's background threads; this handle never
   * produces anything itself. */
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "mock-kafka: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "mock-kafka: cannot create client handle: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
  if (!mc) {
    fprintf(stderr, "mock-kafka: cannot create mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  int status = 0;
  for (int i = first_topic; i < argc; i++) {
    char *colon = strrchr(argv[i], ':');
    if (!colon || colon == argv[i]) {
      fprintf(stderr, "mock-kafka: topic argument must be name:partitions, got %s\n", argv[i]);
      status = 2;
      break;
    }
    *colon = '\0';
    if (create_topic(mc, argv[i], colon + 1) != 0) {
      status = 2;
      break;
    }
  }

  if (status == 0) {
    printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);

    char line[1024];
    size_t used = 0;
    while (!stopping) {
      struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
      int ready = poll(&pfd, 1, 200);
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (ready == 0) continue;
      ssize_t n = read(STDIN_FILENO, line + used, sizeof(line) - 1 - used);
      if (n <= 0) break; /* EOF: the parent went away */
      used += (size_t)n;
      line[used] = '\0';
      char *nl;
      int quit = 0;
      while ((nl = strchr(line, '\n')) != NULL) {
        *nl = '\0';
        if (!strcmp(line, "quit")) {
          quit = 1;
          break;
        }
        const char *err = run_command(mc, line);
        if (err) printf("error %s\n", err);
        else printf("ok\n");
        fflush(stdout);
        size_t rest = used - (size_t)(nl + 1 - line);
        memmove(line, nl + 1, rest + 1);
        used = rest;
      }
      if (quit) break;
      if (used == sizeof(line) - 1) {
        printf("error command too long\n");
        fflush(stdout);
        used = 0;
      }
    }
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return status;
}
