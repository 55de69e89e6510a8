"""AutoCodeDataPipeline: repository-grounded SFT samples from a Java code base."""
