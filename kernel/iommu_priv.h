/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU core's attach-handle functions iofault uses behind the core.
 * They are declared in drivers/iommu/iommu-priv.h, which is not installed
 * with the kernel's headers, and exported in the IOMMUFD_INTERNAL symbol
 * namespace; the declarations here must match the kernel's.
 */
#ifndef _IOFAULT_IOMMU_PRIV_H
#define _IOFAULT_IOMMU_PRIV_H

#include <linux/iommu.h>

struct iommu_attach_handle *iommu_attach_handle_get(struct iommu_group *group,
						    ioasid_t pasid,
						    unsigned int type);
int iommu_attach_group_handle(struct iommu_domain *domain,
			      struct iommu_group *group,
			      struct iommu_attach_handle *handle);
void iommu_detach_group_handle(struct iommu_domain *domain,
			       struct iommu_group *group);

#endif /* _IOFAULT_IOMMU_PRIV_H */
