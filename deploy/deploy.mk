# Deploy (included by the Makefile): the AWS cluster (deploy/terraform, deploy/deploy.sh) and the
# local cluster of network namespaces (deploy/local). docs/deploy.md explains both.
NODES ?= 3
LAKE_LOCAL_STATE ?= $(CURDIR)/deploy/local/.state

.PHONY: deploy submit destroy cluster-up cluster-submit cluster-down

deploy:
	@deploy/deploy.sh up
submit:
	@deploy/deploy.sh submit
destroy:
	@deploy/deploy.sh destroy

cluster-up: $(LAKE)
	@deploy/local/cluster-up.sh --nodes $(NODES) --state $(LAKE_LOCAL_STATE) --lake-bin $(abspath $(LAKE))
cluster-submit:
	@LAKE_CLUSTER_ENV=$(LAKE_LOCAL_STATE)/cluster.env deploy/bin/submit
	@LAKE_CLUSTER_ENV=$(LAKE_LOCAL_STATE)/cluster.env deploy/bin/fetch-report --dest $(LAKE_LOCAL_STATE)/reports
cluster-down:
	@deploy/local/cluster-down.sh --state $(LAKE_LOCAL_STATE)
