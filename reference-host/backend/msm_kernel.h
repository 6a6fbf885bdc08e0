/* SPDX-License-Identifier: MIT */

/*
 * Values of the msm kernel driver's UAPI (Linux include/uapi/drm/msm_drm.h)
 * that the msm handlers and the backends use. The generated msm_uapi.h
 * carries the structs but not these names (spec/msm.xml lists them as
 * c-emit="none" enums); they are spelled KMSM_* here so that they never
 * clash with a copy of msm_drm.h that a real-kernel backend may include.
 */

#ifndef VH_MSM_KERNEL_H_
#define VH_MSM_KERNEL_H_

#define KMSM_PIPE_NONE 0x00u
#define KMSM_PIPE_2D0 0x01u
#define KMSM_PIPE_2D1 0x02u
#define KMSM_PIPE_3D0 0x10u
#define KMSM_PIPE_ID_MASK 0xffffu

#define KMSM_PARAM_GPU_ID 0x01u
#define KMSM_PARAM_GMEM_SIZE 0x02u
#define KMSM_PARAM_CHIP_ID 0x03u
#define KMSM_PARAM_MAX_FREQ 0x04u
#define KMSM_PARAM_TIMESTAMP 0x05u
#define KMSM_PARAM_GMEM_BASE 0x06u
#define KMSM_PARAM_PRIORITIES 0x07u
#define KMSM_PARAM_PP_PGTABLE 0x08u
#define KMSM_PARAM_FAULTS 0x09u
#define KMSM_PARAM_SUSPENDS 0x0au
#define KMSM_PARAM_SYSPROF 0x0bu
#define KMSM_PARAM_COMM 0x0cu
#define KMSM_PARAM_CMDLINE 0x0du
#define KMSM_PARAM_VA_START 0x0eu
#define KMSM_PARAM_VA_SIZE 0x0fu
#define KMSM_PARAM_HIGHEST_BANK_BIT 0x10u
#define KMSM_PARAM_RAYTRACING 0x11u
#define KMSM_PARAM_UBWC_SWIZZLE 0x12u
#define KMSM_PARAM_MACROTILE_MODE 0x13u
#define KMSM_PARAM_UCHE_TRAP_BASE 0x14u
#define KMSM_PARAM_HAS_PRR 0x15u
#define KMSM_PARAM_EN_VM_BIND 0x16u

#define KMSM_BO_SCANOUT 0x00000001u
#define KMSM_BO_GPU_READONLY 0x00000002u
#define KMSM_BO_CACHE_MASK 0x000f0000u
#define KMSM_BO_CACHED 0x00010000u
#define KMSM_BO_WC 0x00020000u
#define KMSM_BO_UNCACHED 0x00040000u
#define KMSM_BO_CACHED_COHERENT 0x00080000u
/* The bits a kernel without VM_BIND (MSM_BO_NO_SHARE) accepts. */
#define KMSM_BO_FLAGS (KMSM_BO_SCANOUT | KMSM_BO_GPU_READONLY | KMSM_BO_CACHED | KMSM_BO_WC | \
                       KMSM_BO_UNCACHED | KMSM_BO_CACHED_COHERENT)

#define KMSM_PREP_READ 0x01u
#define KMSM_PREP_WRITE 0x02u
#define KMSM_PREP_NOSYNC 0x04u
#define KMSM_PREP_BOOST 0x08u
#define KMSM_PREP_FLAGS (KMSM_PREP_READ | KMSM_PREP_WRITE | KMSM_PREP_NOSYNC | KMSM_PREP_BOOST)

#define KMSM_SUBMIT_CMD_BUF 0x0001u
#define KMSM_SUBMIT_CMD_IB_TARGET_BUF 0x0002u
#define KMSM_SUBMIT_CMD_CTX_RESTORE_BUF 0x0003u

#define KMSM_SUBMIT_BO_READ 0x0001u
#define KMSM_SUBMIT_BO_WRITE 0x0002u
#define KMSM_SUBMIT_BO_DUMP 0x0004u
#define KMSM_SUBMIT_BO_NO_IMPLICIT 0x0008u
#define KMSM_SUBMIT_BO_FLAGS (KMSM_SUBMIT_BO_READ | KMSM_SUBMIT_BO_WRITE | KMSM_SUBMIT_BO_DUMP | \
                              KMSM_SUBMIT_BO_NO_IMPLICIT)

#define KMSM_SUBMIT_NO_IMPLICIT 0x80000000u
#define KMSM_SUBMIT_FENCE_FD_IN 0x40000000u
#define KMSM_SUBMIT_FENCE_FD_OUT 0x20000000u
#define KMSM_SUBMIT_SUDO 0x10000000u
#define KMSM_SUBMIT_SYNCOBJ_IN 0x08000000u
#define KMSM_SUBMIT_SYNCOBJ_OUT 0x04000000u
#define KMSM_SUBMIT_FENCE_SN_IN 0x02000000u
#define KMSM_SUBMIT_FLAGS (KMSM_SUBMIT_NO_IMPLICIT | KMSM_SUBMIT_FENCE_FD_IN | KMSM_SUBMIT_FENCE_FD_OUT | \
                           KMSM_SUBMIT_SUDO | KMSM_SUBMIT_SYNCOBJ_IN | KMSM_SUBMIT_SYNCOBJ_OUT | \
                           KMSM_SUBMIT_FENCE_SN_IN)

#define KMSM_SUBMITQUEUE_ALLOW_PREEMPT 0x00000001u
#define KMSM_SUBMITQUEUE_VM_BIND 0x00000002u

#define KMSM_SUBMITQUEUE_PARAM_FAULTS 0u

/* _IOC_NR - DRM_COMMAND_BASE of the ioctls IOCTL_SIMPLE forwards. */
#define KMSM_DRM_COMMAND_BASE 0x40u
#define KMSM_IOCTL_GET_PARAM 0x00u
#define KMSM_IOCTL_SUBMITQUEUE_NEW 0x0au
#define KMSM_IOCTL_SUBMITQUEUE_CLOSE 0x0bu

/* sizeof(msm_gem_object.name): a name must be shorter than this. */
#define KMSM_GEM_NAME_SIZE 32u

/* The msm driver's DRM version (MSM_VERSION_*) the sim reports by default. */
#define KMSM_VERSION_MAJOR 1u
#define KMSM_VERSION_MINOR 12u
#define KMSM_VERSION_PATCHLEVEL 0u

#endif /* VH_MSM_KERNEL_H_ */
