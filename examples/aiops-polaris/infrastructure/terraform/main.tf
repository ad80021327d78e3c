# The AIOps Polaris cluster, built from our own Terraform module.
module "aiops_cluster" {
  source  = "app.terraform.io/aiops/cluster/aws"
  version = "1.4.0"

  cluster_name = "aiops-polaris"
  node_count   = 3
}
